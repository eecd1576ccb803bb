import type { components } from '../../api/schema';

type SubmitBody = components['schemas']['SubmitReportBody'];
export type Channel = components['schemas']['ReportCountModel']['channel'];
export type Metric = components['schemas']['ReportCountModel']['metric'];
export type Topic = NonNullable<components['schemas']['ReportCountModel']['topic']>;
export type LinkKind = NonNullable<components['schemas']['EvidenceLinkModel']['kind']>;

export interface FigureDraft {
  channel: Channel;
  metric: Metric;
  topic: Topic | '';
  count: string;
}

export interface LinkDraft {
  url: string;
  kind: LinkKind;
}

export interface ReportDraft {
  periodKey: string;
  figures: FigureDraft[];
  narrative: string;
  links: LinkDraft[];
}

export interface DraftProblems {
  figures: Record<number, 'reportForm.badCount'>;
  links: Record<number, 'reportForm.badUrl'>;
  empty: boolean;
}

const URL_PATTERN = /^https?:\/\/\S+$/i;

/** What is wrong with a draft before it is sent (the service checks again). */
export function checkDraft(draft: ReportDraft): DraftProblems {
  const problems: DraftProblems = { figures: {}, links: {}, empty: false };
  draft.figures.forEach((figure, index) => {
    if (!/^\d+$/.test(figure.count.trim())) problems.figures[index] = 'reportForm.badCount';
  });
  draft.links.forEach((link, index) => {
    if (link.url.trim() && !URL_PATTERN.test(link.url.trim())) problems.links[index] = 'reportForm.badUrl';
  });
  const hasContent = draft.figures.length > 0 || draft.narrative.trim() !== '' || draft.links.some((link) => link.url.trim());
  problems.empty = !hasContent;
  return problems;
}

export function hasProblems(problems: DraftProblems): boolean {
  return problems.empty || Object.keys(problems.figures).length > 0 || Object.keys(problems.links).length > 0;
}

/** The request body of POST .../reports from a checked draft. */
export function toBody(draft: ReportDraft, unitId: string, idempotencyKey: string): SubmitBody {
  return {
    unit_id: unitId,
    period_key: draft.periodKey,
    counts: draft.figures.map((figure) => ({
      channel: figure.channel,
      metric: figure.metric,
      count: Number(figure.count.trim()),
      topic: figure.topic || null,
    })),
    narrative: draft.narrative.trim(),
    links: draft.links.filter((link) => link.url.trim()).map((link) => ({ url: link.url.trim(), kind: link.kind })),
    attachments: [],
    idempotency_key: idempotencyKey,
  };
}
