import { STRINGS } from './strings.js';

const LANG_KEY = 'wst.lang';

/** @typedef {'zh' | 'en'} Lang */

/** @type {Lang} */
let lang = readLang();

/** @returns {Lang} */
function readLang() {
  try {
    return localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

/** @returns {Lang} */
export function currentLang() {
  return lang;
}

/** The BCP 47 tag for dates and numbers in the current language. */
export function locale() {
  return lang === 'en' ? 'en-GB' : 'zh-CN';
}

/**
 * Switches the language and remembers it across visits.
 *
 * @param {Lang} next
 */
export function setLang(next) {
  lang = next;
  try {
    localStorage.setItem(LANG_KEY, next);
  } catch {
    // Storage may be disabled; the choice then lasts until the page reloads.
  }
  document.documentElement.lang = locale();
}

/**
 * The text for `key` in the current language, with `{name}` placeholders filled in.
 *
 * @example t('common.page', { page: 1, pages: 3, total: 42 })
 * @param {string} key
 * @param {Record<string, string | number>} [params]
 */
export function t(key, params = {}) {
  /** @type {Record<string, string>} */
  const table = STRINGS[lang];
  /** @type {Record<string, string>} */
  const fallback = STRINGS.zh;
  const text = table[key] ?? fallback[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

/**
 * A subtask's failure reason: the server's (Chinese) message, or in English the code's meaning.
 *
 * @param {number | undefined} code
 * @param {string | undefined} message
 */
export function errorText(code, message) {
  /** @type {Record<string, string>} */
  const en = STRINGS.en;
  const text = lang === 'en' && code !== undefined ? (en[`error.${code}`] ?? message) : message;
  return [code, text].filter((part) => part !== undefined && part !== '').join(' ');
}
