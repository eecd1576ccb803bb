import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useI18n } from '../../i18n/I18nProvider';

export interface MonthPoint {
  month: string;
  items: number;
  alerts: number;
}

/** Loaded lazily: Recharts is only shipped to the screens that chart. */
export default function ItemsAlertsChart({ data }: { data: MonthPoint[] }) {
  const { t } = useI18n();
  const rows = data.map((point) => ({ ...point, label: `${point.month.slice(5)}/${point.month.slice(0, 4)}` }));
  return (
    <div style={{ width: '100%', height: 260 }} role="img" aria-label={t('dashboard.overTime')}>
      <ResponsiveContainer>
        <BarChart data={rows} margin={{ top: 8, right: 8, left: 0, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="label" fontSize={12} />
          <YAxis allowDecimals={false} fontSize={12} width={32} />
          <Tooltip />
          <Legend />
          <Bar dataKey="items" name={t('dashboard.items')} fill="#1971c2" />
          <Bar dataKey="alerts" name={t('dashboard.alerts')} fill="#c92a2a" />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
