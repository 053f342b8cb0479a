import { listBatches } from '../api.js';
import { h, progressBar } from '../dom.js';
import { formatDateTime } from '../format.js';
import { t } from '../i18n.js';
import { startPoller } from '../poller.js';
import { statusTag } from '../status.js';

const PAGE_SIZE = 20;
const REFRESH_MS = 5000;

/**
 * Every batch, newest first, one page at a time (`#/batches?page=2`).
 *
 * @param {HTMLElement} root
 * @param {URLSearchParams} query
 */
export function mountBatchList(root, query) {
  const page = Math.max(1, Math.floor(Number(query.get('page'))) || 1);
  const body = h('div', { class: 'list-body' }, h('p', { class: 'muted' }, t('common.loading')));
  const error = h('div', { class: 'alert', role: 'alert', hidden: true });

  root.append(
    h(
      'div',
      { class: 'page-head' },
      h('h1', null, t('list.title')),
      h('a', { class: 'btn btn-primary', href: '#/new' }, t('nav.new')),
    ),
    error,
    body,
  );

  const poller = startPoller(
    async () => {
      const data = await listBatches(page, PAGE_SIZE);
      error.hidden = true;
      body.replaceChildren(...renderPage(data));
      return false;
    },
    REFRESH_MS,
    (e) => {
      error.hidden = false;
      error.textContent = e instanceof Error ? e.message : String(e);
    },
  );
  return () => poller.stop();
}

/** @param {{ tasks: any[], total: number, page: number, pageSize: number }} data */
function renderPage(data) {
  if (data.total === 0) return [h('p', { class: 'empty' }, t('list.empty'))];

  const head = ['list.batchId', 'list.createdAt', 'list.total', 'list.done', 'list.status'];
  const table = h(
    'table',
    { class: 'table batches' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        head.map((key) => h('th', { scope: 'col' }, t(key))),
      ),
    ),
    h('tbody', null, data.tasks.map(renderRow)),
  );
  return [h('div', { class: 'table-wrap' }, table), pager(data)];
}

/** @param {any} batch */
function renderRow(batch) {
  const completed = batch.statusCounts?.completed ?? 0;
  const percent = batch.totalCount > 0 ? (completed / batch.totalCount) * 100 : 0;
  return h(
    'tr',
    { dataset: { batchId: batch.batchId, status: batch.status } },
    h(
      'td',
      { class: 'mono' },
      h('a', { href: `#/batches/${encodeURIComponent(batch.batchId)}` }, batch.batchId),
    ),
    h('td', { class: 'nowrap' }, formatDateTime(batch.createdAt)),
    h('td', { class: 'num' }, batch.totalCount),
    h(
      'td',
      { class: 'done' },
      h(
        'span',
        { class: 'done-text', dataset: { field: 'done' } },
        `${completed}/${batch.totalCount}`,
      ),
      progressBar(percent, t('list.done')),
    ),
    h('td', null, statusTag('batch', batch.status)),
  );
}

/** @param {{ total: number, page: number, pageSize: number }} data */
function pager(data) {
  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  const link = (/** @type {number} */ to, /** @type {string} */ key) =>
    to >= 1 && to <= pages
      ? h('a', { class: 'btn', href: `#/batches?page=${to}` }, t(key))
      : h('span', { class: 'btn', 'aria-disabled': 'true' }, t(key));
  return h(
    'nav',
    { class: 'pager', 'aria-label': t('list.title') },
    link(data.page - 1, 'common.prev'),
    h('span', { class: 'muted' }, t('common.page', { page: data.page, pages, total: data.total })),
    link(data.page + 1, 'common.next'),
  );
}
