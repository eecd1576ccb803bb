import type { components, paths } from './schema';

/** Short names of the API's schemas the screens use. */
type Schemas = components['schemas'];
export type PlanSummary = Schemas['PlanSummary'];
/** A plan as GET /plans lists it; with `include=progress`, its progress at a glance. */
export type PlanListItem = Schemas['PlanListItem'];
export type PlanDetail = Schemas['PlanDetail'];
export type ProgressSummary = Schemas['ProgressSummary'];
export type BucketCounts = Schemas['BucketCountsModel'];
export type TaskDetail = Schemas['TaskDetail'];
export type ReportDetail = Schemas['ReportDetail'];
export type Recurrence = Schemas['RecurrenceModel'];
/** A unit as GET /units lists it. */
export type Unit = paths['/api/v1/units']['get']['responses']['200']['content']['application/json']['items'][number];
export type AuditEntry = Schemas['AuditEntryModel'];
export type AlertReply = Schemas['AlertReply'];
export type ItemReply = Schemas['ItemReply'];
