import { describe, expect, it } from 'vitest';
import { tokenClaims, tokenExpiry } from './session';

function jwt(claims: object): string {
  const encode = (value: object) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${encode({ alg: 'HS256' })}.${encode(claims)}.signature`;
}

describe('the token as the console reads it', () => {
  it('names the role the sign-in lands on, before /users/me answers', () => {
    expect(tokenClaims(jwt({ role: 'officer', exp: 2_000_000_000 })).role).toBe('officer');
  });

  it('expires at its own exp, or after expires_in when it cannot be read', () => {
    expect(tokenExpiry(jwt({ exp: 2_000_000_000 }), 60)).toBe(2_000_000_000_000);
    expect(tokenExpiry('not-a-jwt', 60, 1_000)).toBe(61_000);
    expect(tokenClaims('not-a-jwt')).toEqual({});
  });
});
