import { describe, expect, it } from 'vitest';
import { checkDraft, hasProblems, toBody, type ReportDraft } from './reportDraft';

const draft: ReportDraft = {
  periodKey: '2021-Q1',
  figures: [{ channel: 'press', metric: 'articles', topic: 'drugs', count: ' 14 ' }],
  narrative: '  Đăng 14 tin, bài về phòng, chống ma túy. ',
  links: [{ url: 'https://baogialai.example.org/bai-1', kind: 'article' }, { url: '  ', kind: 'other' }],
};

describe('a report draft', () => {
  it('becomes the API body: counts as numbers, blank links dropped, text trimmed', () => {
    expect(toBody(draft, 'bao-gia-lai', 'key-1')).toEqual({
      unit_id: 'bao-gia-lai',
      period_key: '2021-Q1',
      counts: [{ channel: 'press', metric: 'articles', count: 14, topic: 'drugs' }],
      narrative: 'Đăng 14 tin, bài về phòng, chống ma túy.',
      links: [{ url: 'https://baogialai.example.org/bai-1', kind: 'article' }],
      attachments: [],
      idempotency_key: 'key-1',
    });
    expect(hasProblems(checkDraft(draft))).toBe(false);
  });

  it('points at a count that is not a whole number and a link that is not a web address', () => {
    const problems = checkDraft({ ...draft, figures: [{ ...draft.figures[0]!, count: '-2' }], links: [{ url: 'baogialai', kind: 'article' }] });
    expect(problems.figures).toEqual({ 0: 'reportForm.badCount' });
    expect(problems.links).toEqual({ 0: 'reportForm.badUrl' });
  });

  it('refuses an empty report', () => {
    expect(checkDraft({ periodKey: 'ONCE', figures: [], narrative: ' ', links: [] }).empty).toBe(true);
  });
});
