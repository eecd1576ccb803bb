/** A count table (rows × columns) summed from flat records, with the largest cell. */
export interface HeatMatrix {
  rows: string[];
  columns: string[];
  cells: Map<string, number>;
  max: number;
}

export function heatMatrix<T>(records: T[], rowOf: (record: T) => string, columnOf: (record: T) => string, valueOf: (record: T) => number): HeatMatrix {
  const cells = new Map<string, number>();
  const rows = new Set<string>();
  const columns = new Set<string>();
  for (const record of records) {
    const row = rowOf(record);
    const column = columnOf(record);
    rows.add(row);
    columns.add(column);
    const key = `${row}\u0000${column}`;
    cells.set(key, (cells.get(key) ?? 0) + valueOf(record));
  }
  return { rows: [...rows].sort(), columns: [...columns].sort(), cells, max: Math.max(0, ...cells.values()) };
}

export function cellValue(matrix: HeatMatrix, row: string, column: string): number {
  return matrix.cells.get(`${row}\u0000${column}`) ?? 0;
}

/** Items and alerts per month (`yyyy-mm`), every month of `year` present (zeros included). */
export function monthlySeries(year: number, items: { period_key: string; items: number }[], alertTimes: string[]) {
  const months = Array.from({ length: 12 }, (_, index) => `${year}-${String(index + 1).padStart(2, '0')}`);
  const byMonth = new Map(months.map((month) => [month, { month, items: 0, alerts: 0 }]));
  for (const row of items) {
    const entry = byMonth.get(row.period_key.slice(0, 7));
    if (entry) entry.items += row.items;
  }
  for (const time of alertTimes) {
    const entry = byMonth.get(time.slice(0, 7));
    if (entry) entry.alerts += 1;
  }
  return months.map((month) => byMonth.get(month)!);
}
