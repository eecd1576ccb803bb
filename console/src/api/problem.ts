import type { MessageKey } from '../i18n/catalogue';
import type { Params } from '../i18n/translate';

/** An RFC 9457 problem from the gateway (services/gateway/errors.py). */
export interface Problem {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  reason?: string;
  missing_scope?: string;
  errors?: { loc?: (string | number)[]; msg?: string; type?: string; field?: string; message?: string }[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  readonly retryAfter: number | null;

  constructor(problem: Problem, retryAfter: number | null = null) {
    super(problem.detail || problem.title || problem.code);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

/** The server could not be reached at all (offline, DNS, connection refused). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : 'network error');
    this.name = 'NetworkError';
  }
}

export interface FieldProblem {
  /** The field's name as the API knows it (`current_password`, `links.0.url`). */
  field: string;
  message: MessageKey;
}

export interface ErrorDescription {
  title: MessageKey;
  action: MessageKey;
  params: Params;
  fields: FieldProblem[];
}

const KNOWN_CODES = new Set([
  'unauthenticated', 'forbidden', 'not_found', 'conflict', 'invalid_transition',
  'validation_failed', 'payload_too_large', 'rate_limited', 'service_unavailable', 'internal',
]);

function fieldMessage(type: string | undefined): MessageKey {
  if (type === 'missing') return 'error.field.required';
  if (type === 'wrong_password') return 'error.field.wrongPassword';
  if (type === 'weak_password') return 'error.field.weakPassword';
  if (type === 'url_not_allowed') return 'error.field.urlNotAllowed';
  if (type?.endsWith('too_short')) return 'error.field.tooShort';
  if (type?.endsWith('too_long')) return 'error.field.tooLong';
  return 'error.field.invalid';
}

/** What an error means to a person and what to do next, as catalogue keys. */
export function describeError(error: unknown): ErrorDescription {
  if (error instanceof NetworkError || error instanceof TypeError) {
    return { title: 'error.network.title', action: 'error.network.action', params: {}, fields: [] };
  }
  if (!(error instanceof ApiError)) {
    return { title: 'error.internal.title', action: 'error.internal.action', params: {}, fields: [] };
  }
  const { problem } = error;
  let code = problem.code === 'timeout' ? 'service_unavailable' : problem.code;
  if (code === 'unauthenticated' && problem.reason === 'bad_credentials') code = 'bad_credentials';
  else if (!KNOWN_CODES.has(code)) code = error.status >= 500 ? 'internal' : 'validation_failed';
  // The gateway names a field by `loc` (["body", "links", 0, "url"]); a service by `field`.
  const fields = (problem.errors ?? []).map((entry) => ({
    field: entry.loc
      ? entry.loc.filter((part) => part !== 'body' && part !== 'query').join('.')
      : (entry.field ?? '').replace(/\[(\d+)\]/g, '.$1'),
    message: fieldMessage(entry.type),
  }));
  return {
    title: `error.${code}.title` as MessageKey,
    action: `error.${code}.action` as MessageKey,
    params: { seconds: error.retryAfter ?? 5 },
    fields,
  };
}

/** A Problem from any error body the gateway (or a proxy in front of it) answered. */
export function toProblem(status: number, body: unknown): Problem {
  if (body && typeof body === 'object' && 'code' in body) {
    return { ...(body as Problem), status };
  }
  const code = status === 401 ? 'unauthenticated' : status === 403 ? 'forbidden'
    : status === 404 ? 'not_found' : status === 413 ? 'payload_too_large'
    : status === 429 ? 'rate_limited' : status >= 500 ? 'service_unavailable' : 'validation_failed';
  return { status, code };
}

/** Why the gateway refused a URL (services/runtime/ssrf.py reasons). */
const URL_REASONS = new Set([
  'scheme_not_allowed', 'no_host', 'credentials_in_url', 'bad_address', 'cloud_metadata',
  'unresolved', 'loopback', 'link_local', 'private', 'malformed',
]);

/** More words on a field's problem when the gateway gives a reason (a refused URL's). */
export function fieldDetail(error: unknown, field: FieldProblem): MessageKey | undefined {
  if (!(error instanceof ApiError) || field.message !== 'error.field.urlNotAllowed') return undefined;
  const reason = error.problem.reason;
  return `error.urlReason.${reason && URL_REASONS.has(reason) ? reason : 'other'}` as MessageKey;
}

/**
 * The problem of one form field from a failed request, or undefined: so a 422 (a weak
 * password, a refused URL) shows under the input it is about. `names` are the API's names of
 * the field the input stands for (`password`, `url`, `source.url`).
 */
export function fieldError(error: unknown, ...names: string[]): { message: MessageKey; detail?: MessageKey } | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const found = describeError(error).fields.find((field) => names.includes(field.field));
  return found && { message: found.message, detail: fieldDetail(error, found) };
}
