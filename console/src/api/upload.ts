import { sessionStore } from '../auth/session';
import { ApiError, NetworkError, toProblem } from './problem';

/**
 * POST a JSON body with upload progress (fetch reports none), the session's token and the
 * same error handling as the typed client: a 401 ends the session, a problem becomes ApiError.
 */
export function postWithProgress<T>(path: string, body: unknown, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    request.setRequestHeader('Content-Type', 'application/json');
    const token = sessionStore.token();
    if (token) request.setRequestHeader('Authorization', `Bearer ${token}`);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onerror = () => reject(new NetworkError(new Error('upload failed')));
    request.onload = () => {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(request.responseText);
      } catch {
        parsed = null;
      }
      if (request.status >= 200 && request.status < 300) {
        resolve(parsed as T);
        return;
      }
      if (request.status === 401) sessionStore.expire();
      const retry = Number(request.getResponseHeader('Retry-After'));
      reject(new ApiError(toProblem(request.status, parsed), retry > 0 ? retry : null));
    };
    request.send(JSON.stringify(body));
  });
}
