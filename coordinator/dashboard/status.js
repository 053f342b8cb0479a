import { h } from './dom.js';
import { t } from './i18n.js';

/** A batch in one of these states changes no more, so polling it can stop. */
export const TERMINAL_BATCH = new Set(['completed', 'partial_failed', 'failed', 'cancelled']);

/** Each status has its own symbol as well as its colour, so colour is never the only cue. */
const ICONS = /** @type {Record<string, string>} */ ({
  pending: '◷',
  running: '↻',
  completed: '✓',
  partial_failed: '!',
  failed: '✕',
  cancelled: '⊘',
  online: '●',
  offline: '○',
});

/**
 * A status tag: colour, symbol and words.
 *
 * @param {'batch' | 'task'} kind which vocabulary: a batch's "全部完成" or a subtask's "已完成"
 * @param {string} status
 */
export function statusTag(kind, status) {
  return tag(status, t(`${kind}.${status}`));
}

/**
 * @param {string} status decides the colour and symbol
 * @param {string} text
 */
export function tag(status, text) {
  return h(
    'span',
    { class: `tag tag-${status}`, dataset: { status } },
    h('span', { class: 'tag-icon', 'aria-hidden': 'true' }, ICONS[status] ?? '•'),
    text,
  );
}
