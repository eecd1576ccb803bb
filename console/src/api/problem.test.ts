import { describe, expect, it } from 'vitest';
import { ApiError, NetworkError, describeError, toProblem } from './problem';

describe('describeError', () => {
  it('says a wrong password in words, not as an expired session', () => {
    const error = new ApiError({ status: 401, code: 'unauthenticated', reason: 'bad_credentials' });
    expect(describeError(error).title).toBe('error.bad_credentials.title');
  });

  it('maps every stable code to its own title and action', () => {
    for (const code of ['forbidden', 'not_found', 'conflict', 'invalid_transition', 'rate_limited']) {
      const described = describeError(new ApiError({ status: 400, code }));
      expect(described.title).toBe(`error.${code}.title`);
      expect(described.action).toBe(`error.${code}.action`);
    }
  });

  it('treats a timeout as the service being unavailable, with the Retry-After seconds', () => {
    const described = describeError(new ApiError({ status: 503, code: 'timeout' }, 7));
    expect(described.title).toBe('error.service_unavailable.title');
    expect(described.params.seconds).toBe(7);
  });

  it('names the fields a validation error points at', () => {
    const error = new ApiError({
      status: 422,
      code: 'validation_failed',
      errors: [
        { loc: ['body', 'links', 0, 'url'], type: 'url_parsing' },
        { loc: ['body', 'reason'], type: 'missing' },
      ],
    });
    expect(describeError(error).fields).toEqual([
      { field: 'links.0.url', message: 'error.field.invalid' },
      { field: 'reason', message: 'error.field.required' },
    ]);
  });

  it('names the fields a service points at', () => {
    const error = new ApiError({ status: 422, code: 'validation_failed', errors: [{ field: 'links[0].url', message: 'bad' }] });
    expect(describeError(error).fields).toEqual([{ field: 'links.0.url', message: 'error.field.invalid' }]);
  });

  it('tells an unreachable server apart from a server error', () => {
    expect(describeError(new NetworkError(new TypeError('Failed to fetch'))).title).toBe('error.network.title');
    expect(describeError(new ApiError({ status: 500, code: 'something_new' })).title).toBe('error.internal.title');
  });
});

describe('toProblem', () => {
  it('keeps a problem body and fills the status', () => {
    expect(toProblem(404, { code: 'not_found', detail: 'no plan' })).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('derives a code from the status when a proxy answered without a problem body', () => {
    expect(toProblem(502, '<html>bad gateway</html>').code).toBe('service_unavailable');
    expect(toProblem(413, null).code).toBe('payload_too_large');
  });
});
