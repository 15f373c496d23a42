// Sign-in: an API key (local runs, service accounts) or Entra ID (production) by the authorization-code flow with PKCE.
// Credentials live in sessionStorage only: closing the tab signs out, and nothing is kept on a shared school computer.

import { t, strings } from './i18n.js';

strings({
  zh: {
    'auth.stateMismatch': '登录回应与本次登录请求不符，请重新登录。',
    'auth.refused': '统一身份认证（Entra ID）拒绝了本次登录。',
  },
  en: {
    'auth.stateMismatch': 'The sign-in answer does not match the request; sign in again.',
    'auth.refused': 'Entra ID refused the sign-in.',
  },
});

const KEY = 'edurelief.apiKey';
const TOKEN = 'edurelief.token';
const PKCE = 'edurelief.pkce';

export function credentialHeaders() {
  const key = sessionStorage.getItem(KEY);
  if (key) {
    return { 'X-Api-Key': key };
  }
  const token = readToken();
  return token ? { Authorization: `Bearer ${token.accessToken}` } : {};
}

/** Signed in with a key, a live token, or a token past its time that its refresh token can still renew. */
export function isSignedIn() {
  return Boolean(sessionStorage.getItem(KEY) || readToken() || storedToken()?.refreshToken);
}

export function useApiKey(key) {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.setItem(KEY, key.trim());
}

let expiredNotice = false;

export function signOut({ expired = false } = {}) {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(TOKEN);
  expiredNotice = expired;
  if (!location.hash.startsWith('#/signin')) {
    const back = location.hash && !location.hash.startsWith('#/signin') ? `?next=${encodeURIComponent(location.hash.slice(1))}` : '';
    location.hash = `#/signin${back}`;
  }
}

let signInError = null;

/** Why the last Entra sign-in failed, for the sign-in page to say once. */
export function setSignInError(message) {
  signInError = message;
}

export function takeSignInError() {
  const value = signInError;
  signInError = null;
  return value;
}

/** Ends the Entra session too (after signOut), then comes back to the console's sign-in page. */
export function endEntraSession(entra) {
  const query = new URLSearchParams({ post_logout_redirect_uri: redirectUri() });
  location.assign(`${entra.authority}/oauth2/v2.0/logout?${query}`);
}

/** True once after a 401 sent the user back to sign in, so the page can say why. */
export function takeExpiredNotice() {
  const value = expiredNotice;
  expiredNotice = false;
  return value;
}

function storedToken() {
  try {
    return JSON.parse(sessionStorage.getItem(TOKEN) || 'null');
  } catch {
    return null; // a damaged entry is no credential
  }
}

/**
 * The token if it has more than a minute to live. One past that is kept while it has a refresh token: a tab left open
 * into the token's last minute is renewed by the next API call (freshen) instead of being signed out.
 */
function readToken() {
  const token = storedToken();
  if (token?.accessToken && token.expiresAt > Date.now() + 60_000) {
    return token;
  }
  if (!token?.refreshToken) {
    sessionStorage.removeItem(TOKEN);
  }
  return null;
}

let entraSettings = null;
let refreshing = null;

/** The Entra parameters the console runs with (from /api/console/config), for refreshing tokens. */
export function configureEntra(entra) {
  entraSettings = entra;
}

function saveToken(answer, previousRefresh) {
  sessionStorage.setItem(TOKEN, JSON.stringify({
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token ?? previousRefresh ?? null,
    expiresAt: Date.now() + (answer.expires_in * 1000),
  }));
}

/**
 * Renews an Entra token in the last five minutes of its life with its refresh token, so an officer is not thrown
 * out in the middle of a reply after an hour. Without a refresh token, or if Entra refuses, the token simply runs out.
 */
export async function freshen() {
  const raw = sessionStorage.getItem(TOKEN);
  if (!raw || !entraSettings || sessionStorage.getItem(KEY)) {
    return;
  }
  let token;
  try {
    token = JSON.parse(raw);
  } catch {
    return;
  }
  if (!token?.refreshToken || token.expiresAt > Date.now() + 5 * 60_000) {
    return;
  }
  refreshing ??= (async () => {
    try {
      const response = await fetch(`${entraSettings.authority}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: entraSettings.clientId, grant_type: 'refresh_token', refresh_token: token.refreshToken, scope: `${entraSettings.scope} openid profile offline_access` }),
      });
      const answer = await response.json();
      if (response.ok && answer.access_token) {
        saveToken(answer, token.refreshToken);
      }
    } catch {
      // The old token stays until it expires; the next call tries again.
    } finally {
      refreshing = null;
    }
  })();
  await refreshing;
}

function base64Url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function redirectUri() {
  return `${location.origin}/console/`;
}

/** Sends the browser to Entra ID; it comes back to /console/?code=…&state=…. */
export async function startEntraSignIn(entra, next) {
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64Url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64Url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state, next }));
  const query = new URLSearchParams({
    client_id: entra.clientId,
    response_type: 'code',
    redirect_uri: redirectUri(),
    response_mode: 'query',
    scope: `${entra.scope} openid profile offline_access`,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    // Shared computers: always let the person choose (or type) their own account.
    prompt: 'select_account',
  });
  location.assign(`${entra.authority}/oauth2/v2.0/authorize?${query}`);
}

/**
 * Completes the Entra sign-in when the page was opened by the redirect: exchanges the code for a token at the token
 * endpoint (a single-page app registration allows this from the browser) and returns where to go next.
 */
export async function completeEntraSignIn(entra) {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) {
    return null;
  }
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  const saved = JSON.parse(sessionStorage.getItem(PKCE) || 'null');
  sessionStorage.removeItem(PKCE);
  if (params.has('error')) {
    throw new Error(params.get('error_description') || params.get('error'));
  }
  if (!entra || !saved || saved.state !== params.get('state')) {
    throw new Error(t('auth.stateMismatch'));
  }
  const response = await fetch(`${entra.authority}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: entra.clientId,
      grant_type: 'authorization_code',
      code: params.get('code'),
      redirect_uri: redirectUri(),
      code_verifier: saved.verifier,
      scope: `${entra.scope} openid profile offline_access`,
    }),
  });
  const answer = await response.json();
  if (!response.ok || !answer.access_token) {
    throw new Error(answer.error_description || t('auth.refused'));
  }
  sessionStorage.removeItem(KEY);
  saveToken(answer, null);
  return saved.next || '/cycles';
}
