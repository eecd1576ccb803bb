import createClient, { type Middleware } from 'openapi-fetch';
import { sessionStore } from '../auth/session';
import { ApiError, NetworkError, toProblem } from './problem';
import type { paths } from './schema';

/** Paths the console may call while signed out; a 401 from them is no expired session. */
const SIGNED_OUT_PATHS = ['/api/v1/auth/token'];

const authentication: Middleware = {
  onRequest({ request }) {
    const token = sessionStore.token();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ request, response }) {
    const path = new URL(request.url).pathname;
    if (response.status === 401 && !SIGNED_OUT_PATHS.includes(path)) sessionStore.expire();
    return response;
  },
};

/** The typed client of the gateway's /api/v1 (paths and bodies from openapi.json). */
export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(authentication);

interface Reply<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a reply, or an ApiError carrying the problem (NetworkError when offline). */
export async function unwrap<T>(call: Promise<Reply<T>>): Promise<T> {
  let reply: Reply<T>;
  try {
    reply = await call;
  } catch (cause) {
    throw new NetworkError(cause);
  }
  const { response } = reply;
  if (!response.ok) {
    const retry = Number(response.headers.get('Retry-After'));
    throw new ApiError(toProblem(response.status, reply.error), Number.isFinite(retry) && retry > 0 ? retry : null);
  }
  return reply.data as T;
}

/** A file download (CSV, XLSX, DOCX, PDF) with the caller's token, saved under `filename`. */
export async function download(path: string, filename: string): Promise<void> {
  const token = sessionStore.token();
  let response: Response;
  try {
    response = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  } catch (cause) {
    throw new NetworkError(cause);
  }
  if (response.status === 401) sessionStore.expire();
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => null);
    throw new ApiError(toProblem(response.status, body));
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
