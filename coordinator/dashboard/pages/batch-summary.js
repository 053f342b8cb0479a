import { h, progressBar } from '../dom.js';
import { formatDateTime, formatDuration } from '../format.js';
import { t } from '../i18n.js';
import { statusTag } from '../status.js';

/**
 * The batch's summary card from `/status` (whose times are Unix seconds).
 *
 * @param {any} status
 */
export function renderSummary(status) {
  const counts = status.statusCounts;
  const ended = counts.completed + counts.failed + (counts.cancelled ?? 0);
  /** @type {[string, string | number, string?][]} */
  const stats = [
    ['total', status.totalCount],
    ['completed', counts.completed, 'completed'],
    ['failed', counts.failed, 'failed'],
    ['running', counts.running, 'running'],
    ['pending', counts.pending, 'pending'],
  ];
  if (counts.cancelled !== undefined) stats.push(['cancelled', counts.cancelled, 'cancelled']);
  if (status.createdCount < status.totalCount) {
    stats.push(['createdCount', `${status.createdCount} / ${status.totalCount}`]);
  }
  stats.push(
    ['duration', formatDuration(status.duration)],
    ['createdAt', formatDateTime(status.createdAt)],
  );

  return h(
    'section',
    { class: 'card summary', dataset: { status: status.status } },
    h(
      'div',
      { class: 'summary-head' },
      h('span', { class: 'summary-label' }, t('detail.status')),
      statusTag('batch', status.status),
      progressBar(
        status.totalCount > 0 ? (ended / status.totalCount) * 100 : 0,
        t('detail.status'),
      ),
    ),
    h(
      'dl',
      { class: 'stats' },
      stats.map(([key, value, tone]) =>
        h(
          'div',
          { class: `stat stat-${tone ?? key}`, dataset: { stat: key } },
          h('dt', null, t(`detail.${key}`)),
          h('dd', null, value),
        ),
      ),
    ),
  );
}
