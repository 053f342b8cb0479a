import { h } from './dom.js';

/**
 * A short message at the bottom of the page, read out by screen readers.
 *
 * @param {string} message
 * @param {'info' | 'error'} [kind]
 */
export function showToast(message, kind = 'info') {
  let region = document.getElementById('toasts');
  if (!region) {
    region = h('div', { id: 'toasts', class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(region);
  }
  const toast = h('div', { class: `toast toast-${kind}` }, message);
  region.append(toast);
  setTimeout(() => toast.remove(), kind === 'error' ? 8000 : 4000);
}
