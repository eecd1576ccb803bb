import { describe, expect, it } from 'vitest';
import { nextPeriod, reportingPeriods } from './periods';

describe('reportingPeriods', () => {
  it('lists the quarters of a quarterly task with their deadlines', () => {
    const periods = reportingPeriods(
      { kind: 'quarterly', starts_on: '2021-02-25', ends_on: '2021-12-31', deadline_offset_days: 5, report_every: null },
      null,
    );
    expect(periods.map((period) => period.key)).toEqual(['2021-Q1', '2021-Q2', '2021-Q3', '2021-Q4']);
    expect(periods[0]!.deadline).toBe('2021-04-05');
    expect(periods[3]!.deadline).toBe('2022-01-05');
  });

  it('names months as the plans service does', () => {
    const periods = reportingPeriods(
      { kind: 'monthly', starts_on: '2021-03-01', ends_on: '2021-05-31', deadline_offset_days: 3, report_every: null },
      null,
    );
    expect(periods).toEqual([
      { key: '2021-M03', deadline: '2021-04-03' },
      { key: '2021-M04', deadline: '2021-05-03' },
      { key: '2021-M05', deadline: '2021-06-03' },
    ]);
  });

  it('reports a regular task by its report_every cadence, and a one-off task once', () => {
    const regular = reportingPeriods(
      { kind: 'regular', starts_on: '2021-01-01', ends_on: '2021-12-31', deadline_offset_days: 0, report_every: 'yearly' },
      null,
    );
    expect(regular).toEqual([{ key: '2021-Y', deadline: '2021-12-31' }]);
    expect(reportingPeriods(null, '2021-12-15')).toEqual([{ key: 'ONCE', deadline: '2021-12-15' }]);
  });
});

describe('nextPeriod', () => {
  it('is the first period without a completion', () => {
    const periods = [{ key: '2021-Q1', deadline: 'a' }, { key: '2021-Q2', deadline: 'b' }];
    expect(nextPeriod(periods, { '2021-Q1': '2021-04-01T00:00:00Z' })?.key).toBe('2021-Q2');
    expect(nextPeriod(periods, { '2021-Q1': 'x', '2021-Q2': 'y' })).toBeNull();
  });
});
