import { api, unwrap } from '../api/client';
import { sessionStore, tokenExpiry, type CurrentUser } from './session';

/**
 * Password -> token and the user with its permissions, in one request (older gateways answer
 * the token alone: then /users/me is asked too).
 */
export async function signIn(username: string, password: string): Promise<CurrentUser> {
  const token = await unwrap(api.POST('/api/v1/auth/token', { body: { username, password } }));
  const user = token.user ?? (await unwrap(
    api.GET('/api/v1/users/me', { headers: { Authorization: `Bearer ${token.access_token}` } }),
  ));
  // A password signs in a user; /users/me answers an API key's own description otherwise.
  if (user.kind !== 'user') throw new Error('the gateway did not answer a user');
  sessionStore.signIn({ token: token.access_token, expiresAt: tokenExpiry(token.access_token, token.expires_in), user });
  return user;
}
