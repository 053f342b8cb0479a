import { h, progressBar, setProgress } from '../dom.js';
import { formatBytes, formatDateTime, formatPercent } from '../format.js';
import { currentLang, errorText, t } from '../i18n.js';
import { statusTag } from '../status.js';

const PAGE_SIZE = 100;
const STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'];

/**
 * @typedef {{
 *   onProgress: (subtask: any) => void,
 *   onRetry: (subtask: any) => void,
 *   onCancel: (subtask: any) => void,
 * }} RowActions
 */

/**
 * The subtask table with a status filter and pages of 100. Rows are updated in place: a row whose
 * subtask did not change is kept, so a focused button or a tooltip survives the refresh.
 *
 * @param {RowActions} actions
 */
export function createSubtaskTable(actions) {
  /** @type {any[]} */
  let subtasks = [];
  let filter = '';
  let page = 1;
  /** @type {Map<string, { row: HTMLElement, signature: string }>} */
  let rows = new Map();

  const tbody = h('tbody');
  const select = h('select', { 'aria-label': t('detail.filter') });
  const pager = h('div', { class: 'pager' });
  const empty = h('p', { class: 'empty' }, t('detail.noTasks'));
  const head = ['meeting', 'device', 'status', 'progress', 'reason', 'attempt', 'actions'];
  const table = h(
    'table',
    { class: 'table subtasks' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        head.map((key) => h('th', { scope: 'col' }, t(`detail.${key}`))),
      ),
    ),
    tbody,
  );

  select.addEventListener('change', () => {
    filter = select.value;
    page = 1;
    render();
  });

  const render = () => {
    const counts = new Map(STATUSES.map((s) => [s, 0]));
    for (const s of subtasks) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
    select.replaceChildren(
      h('option', { value: '' }, t('detail.filterAll', { count: subtasks.length })),
      ...STATUSES.filter((s) => (counts.get(s) ?? 0) > 0 || s === filter).map((s) =>
        h('option', { value: s }, `${t(`task.${s}`)} (${counts.get(s) ?? 0})`),
      ),
    );
    select.value = filter;

    const shown = filter ? subtasks.filter((s) => s.status === filter) : subtasks;
    const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
    page = Math.min(page, pages);
    patchRows(shown.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE));
    renderPager(pages);
    empty.hidden = subtasks.length > 0;
  };

  /** @param {any[]} visible */
  const patchRows = (visible) => {
    /** @type {Map<string, { row: HTMLElement, signature: string }>} */
    const next = new Map();
    for (const subtask of visible) {
      const key = `${subtask.meetingId}\n${subtask.serialNumber}`;
      // A running row whose percent alone changed keeps its element; only its bar moves.
      const { percent, ...rest } = subtask;
      const signature = `${currentLang()}${JSON.stringify(rest)}`;
      const old = rows.get(key);
      if (old?.signature === signature) {
        if (typeof percent === 'number') movePercent(old.row, percent);
        next.set(key, old);
      } else {
        next.set(key, { row: renderRow(subtask, actions), signature });
      }
    }
    const oldKeys = [...rows.keys()];
    const sameOrder =
      next.size === rows.size && [...next.keys()].every((key, i) => key === oldKeys[i]);
    if (sameOrder) {
      for (const [key, entry] of next) {
        const old = rows.get(key);
        if (old && old.row !== entry.row) old.row.replaceWith(entry.row);
      }
    } else {
      tbody.replaceChildren(...[...next.values()].map((entry) => entry.row));
    }
    rows = next;
  };

  /** @param {number} pages */
  const renderPager = (pages) => {
    if (pages <= 1) {
      pager.replaceChildren();
      return;
    }
    const go = (/** @type {number} */ to) => () => {
      page = to;
      render();
    };
    pager.replaceChildren(
      h(
        'button',
        { type: 'button', class: 'btn btn-small', disabled: page <= 1, onclick: go(page - 1) },
        t('common.prev'),
      ),
      h('span', { class: 'muted' }, t('common.page', { page, pages, total: subtasks.length })),
      h(
        'button',
        { type: 'button', class: 'btn btn-small', disabled: page >= pages, onclick: go(page + 1) },
        t('common.next'),
      ),
    );
  };

  return {
    element: h(
      'section',
      { class: 'subtask-section' },
      h('div', { class: 'table-tools' }, select),
      h('div', { class: 'table-wrap' }, table),
      empty,
      pager,
    ),
    /** @param {any[]} next every subtask of the batch, as `/tasks` gives them */
    update(next) {
      subtasks = next;
      render();
    },
  };
}

/**
 * @param {any} subtask
 * @param {RowActions} actions
 */
function renderRow(subtask, actions) {
  const button = (/** @type {string} */ key, /** @type {() => void} */ onclick, extra = '') =>
    h(
      'button',
      { type: 'button', class: `btn btn-small ${extra}`, dataset: { action: key }, onclick },
      t(`detail.${key}`),
    );
  const open = subtask.status === 'pending' || subtask.status === 'running';

  return h(
    'tr',
    {
      dataset: {
        meetingId: subtask.meetingId,
        serialNumber: subtask.serialNumber,
        status: subtask.status,
      },
    },
    h('td', { class: 'nowrap' }, subtask.meetingId),
    h('td', { class: 'mono nowrap' }, subtask.serialNumber),
    h('td', null, statusTag('task', subtask.status)),
    h('td', { class: 'progress-cell' }, progressCell(subtask)),
    h('td', { class: 'reason' }, reasonCell(subtask)),
    h('td', { class: 'nowrap' }, attemptCell(subtask)),
    h(
      'td',
      null,
      h(
        'div',
        { class: 'row-actions' },
        subtask.taskId && button('viewProgress', () => actions.onProgress(subtask)),
        subtask.status === 'failed' &&
          button('retry', () => actions.onRetry(subtask), 'btn-primary'),
        open &&
          subtask.taskId &&
          button('cancelTask', () => actions.onCancel(subtask), 'btn-quiet'),
      ),
    ),
  );
}

/**
 * @param {HTMLElement} row
 * @param {number} percent
 */
function movePercent(row, percent) {
  const bar = row.querySelector('.progress-cell .bar');
  const text = row.querySelector('.progress-cell .percent');
  if (bar instanceof HTMLElement) setProgress(bar, percent);
  if (text) text.textContent = formatPercent(percent);
}

/** @param {any} subtask */
function progressCell(subtask) {
  if (subtask.status === 'running') {
    const percent = subtask.percent ?? 0;
    return [
      progressBar(percent, t('detail.progress')),
      h('span', { class: 'percent' }, formatPercent(percent)),
    ];
  }
  if (subtask.status === 'completed' && typeof subtask.packageSize === 'number') {
    return h('span', { class: 'muted' }, formatBytes(subtask.packageSize));
  }
  return null;
}

/** @param {any} subtask */
function reasonCell(subtask) {
  if (subtask.errorCode === undefined && subtask.errorMessage === undefined) return null;
  const text = errorText(subtask.errorCode, subtask.errorMessage);
  if (!subtask.errorDetail) return text;
  return h(
    'span',
    { class: 'has-detail', title: subtask.errorDetail, tabindex: 0 },
    text,
    h('span', { 'aria-hidden': 'true' }, ' ⓘ'),
  );
}

/** Shows the attempt when it is not the first; earlier attempts are in the tooltip. @param {any} subtask */
function attemptCell(subtask) {
  if (!(subtask.attempt > 1)) return null;
  const history = Array.isArray(subtask.history) ? subtask.history : [];
  const lines = history.map((/** @type {any} */ past, /** @type {number} */ i) =>
    [
      `#${i + 1}`,
      t(`task.${past.status}`),
      errorText(past.errorCode, past.errorMessage),
      past.endedAt && formatDateTime(past.endedAt),
    ]
      .filter(Boolean)
      .join(' · '),
  );
  return h(
    'span',
    { class: 'attempt', title: lines.join('\n') || undefined },
    t('detail.attemptN', { n: subtask.attempt }),
  );
}
