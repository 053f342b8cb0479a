const TOKEN_KEY = 'wst.apiToken';

/** @type {Set<(message: string) => void>} */
const listeners = new Set();

/** The API token for this tab, or '' when none was given. */
export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** @param {string} token kept in sessionStorage: this tab only, gone when it closes */
export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * Called with the server's message whenever the API answers 401.
 *
 * @param {(message: string) => void} listener
 */
export function onTokenRejected(listener) {
  listeners.add(listener);
}

/** @param {string} message */
export function tokenRejected(message) {
  for (const listener of listeners) listener(message);
}
