import type { Recurrence } from '../../api/types';

/** One reporting period of a task: its key (as the plans service names it) and deadline. */
export interface ReportingPeriod {
  key: string;
  /** yyyy-mm-dd: the period's last day plus the task's deadline offset. */
  deadline: string;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

function monthEnd(year: number, month: number): string {
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

/**
 * The periods a recurring task is reported for, from its start to its end (the same keys as
 * services/plans/domain/periods.py: `2021-M03`, `2021-Q1`, `2021-Y`); `ONCE` otherwise.
 */
export function reportingPeriods(recurrence: Recurrence | null | undefined, dueDate: string | null | undefined): ReportingPeriod[] {
  if (!recurrence) return [{ key: 'ONCE', deadline: dueDate ?? '' }];
  const cadence = recurrence.kind === 'regular' ? recurrence.report_every ?? 'quarterly' : recurrence.kind;
  const offset = recurrence.deadline_offset_days ?? 0;
  const start = recurrence.starts_on;
  const end = recurrence.ends_on;
  const periods: ReportingPeriod[] = [];
  let year = Number(start.slice(0, 4));
  let month = Number(start.slice(5, 7));
  if (cadence === 'quarterly') month = 3 * Math.floor((month - 1) / 3) + 1;
  if (cadence === 'yearly') month = 1;
  const step = cadence === 'monthly' ? 1 : cadence === 'quarterly' ? 3 : 12;
  while (`${year}-${pad(month)}-01` <= end && periods.length < 400) {
    const lastMonth = month + step - 1;
    const key = cadence === 'monthly' ? `${year}-M${pad(month)}`
      : cadence === 'quarterly' ? `${year}-Q${(month + 2) / 3}` : `${year}-Y`;
    periods.push({ key, deadline: addDays(monthEnd(year, lastMonth), offset) });
    month += step;
    if (month > 12) {
      month -= 12;
      year += 1;
    }
  }
  return periods;
}

/** The first period not yet completed (the one to report now), or null when all are done. */
export function nextPeriod(periods: ReportingPeriod[], completed: Record<string, unknown> | undefined): ReportingPeriod | null {
  return periods.find((period) => !completed || !(period.key in completed)) ?? null;
}
