import { describe, expect, it } from 'vitest';
import { cellValue, heatMatrix, monthlySeries } from './heat';

describe('heatMatrix', () => {
  it('sums records per row and column and knows the largest cell', () => {
    const rows = [
      { outlet: 'bao-gia-lai', topic: 'drugs', items: 3 },
      { outlet: 'bao-gia-lai', topic: 'drugs', items: 2 },
      { outlet: 'dai-ptth-gia-lai', topic: 'gambling', items: 1 },
    ];
    const matrix = heatMatrix(rows, (r) => r.outlet, (r) => r.topic, (r) => r.items);
    expect(matrix.rows).toEqual(['bao-gia-lai', 'dai-ptth-gia-lai']);
    expect(matrix.columns).toEqual(['drugs', 'gambling']);
    expect(cellValue(matrix, 'bao-gia-lai', 'drugs')).toBe(5);
    expect(cellValue(matrix, 'bao-gia-lai', 'gambling')).toBe(0);
    expect(matrix.max).toBe(5);
  });
});

describe('monthlySeries', () => {
  it('has all twelve months of the year, items and alerts counted in theirs', () => {
    const series = monthlySeries(2021, [{ period_key: '2021-03', items: 4 }, { period_key: '2020-12', items: 9 }], ['2021-03-05T10:00:00Z', '2021-11-01T00:00:00Z']);
    expect(series).toHaveLength(12);
    expect(series[2]).toEqual({ month: '2021-03', items: 4, alerts: 1 });
    expect(series[10]).toEqual({ month: '2021-11', items: 0, alerts: 1 });
  });
});
