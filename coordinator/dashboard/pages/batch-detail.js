import { ApiError, cancelBatch, cancelTask, getStatus, getTasks, retryBatch } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { startPoller } from '../poller.js';
import { openProgressDialog } from '../progress-dialog.js';
import { TERMINAL_BATCH } from '../status.js';
import { showToast } from '../toast.js';
import { renderSummary } from './batch-summary.js';
import { createSubtaskTable } from './subtask-table.js';

const POLL_MS = 2000;

/**
 * One batch: the summary card and the subtask table, polled every 2 s until the batch ends, with
 * retry and cancel actions and the live progress dialog.
 *
 * @param {HTMLElement} root
 * @param {string} batchId
 */
export function mountBatchDetail(root, batchId) {
  /** @type {{ close(): void } | null} */
  let dialog = null;
  let lastSeen = '';
  let tasksLoaded = false;

  const pollError = h('div', { class: 'alert', role: 'alert', hidden: true });
  const actionError = h('div', { class: 'alert', role: 'alert', hidden: true });
  const summary = h(
    'div',
    { class: 'summary-slot' },
    h('p', { class: 'muted' }, t('common.loading')),
  );
  const pollState = h('p', { class: 'poll-state muted', 'aria-live': 'polite' });
  const retryAll = h(
    'button',
    { type: 'button', class: 'btn', disabled: true, dataset: { action: 'retryAll' } },
    t('detail.retryAll'),
  );
  const cancel = h(
    'button',
    { type: 'button', class: 'btn btn-danger', disabled: true, dataset: { action: 'cancel' } },
    t('detail.cancel'),
  );
  const table = createSubtaskTable({
    onProgress: (subtask) => {
      dialog?.close();
      dialog = openProgressDialog(subtask);
    },
    onRetry: (subtask) =>
      act(async () => {
        const data = await retryBatch(batchId, [
          { meetingId: subtask.meetingId, serialNumber: subtask.serialNumber },
        ]);
        showToast(t('detail.retried', { count: data.retried?.length ?? 0 }));
      }),
    onCancel: (subtask) => {
      const question = t('detail.confirmCancelTask', subtask);
      if (!window.confirm(question)) return;
      void act(async () => {
        await cancelTask(subtask.taskId);
        showToast(t('detail.cancelRequested'));
      });
    },
  });

  root.append(
    h('a', { class: 'back', href: '#/batches' }, t('detail.back')),
    h(
      'div',
      { class: 'page-head' },
      h('h1', { class: 'mono' }, batchId),
      h('div', { class: 'actions' }, retryAll, cancel),
    ),
    actionError,
    pollError,
    summary,
    pollState,
    table.element,
  );

  /** @param {HTMLElement} box @param {unknown} e */
  const showError = (box, e) => {
    box.hidden = false;
    box.textContent = e instanceof Error ? e.message : String(e);
  };

  /** Runs an action, shows why it failed, and polls again: the batch may have come back to life. */
  const act = async (/** @type {() => Promise<void>} */ action) => {
    actionError.hidden = true;
    try {
      await action();
    } catch (e) {
      showError(actionError, e);
    }
    poller.restart();
  };

  retryAll.addEventListener('click', () =>
    act(async () => {
      const data = await retryBatch(batchId);
      showToast(t('detail.retried', { count: data.retried?.length ?? 0 }));
    }),
  );
  cancel.addEventListener('click', () => {
    if (!window.confirm(t('detail.confirmCancel', { batchId }))) return;
    void act(async () => {
      summary.replaceChildren(renderSummary(await cancelBatch(batchId)));
      showToast(t('detail.cancelRequested'));
    });
  });

  const tick = async () => {
    let status;
    try {
      status = await getStatus(batchId);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) throw e;
      showError(pollError, e);
      pollState.textContent = '';
      return true;
    }
    pollError.hidden = true;
    summary.replaceChildren(renderSummary(status));
    const ended = TERMINAL_BATCH.has(status.status);
    // The coordinator refuses (409) to retry subtasks of a cancelled batch.
    const retryable = status.statusCounts.failed > 0 && status.status !== 'cancelled';
    retryAll.toggleAttribute('disabled', !retryable);
    cancel.toggleAttribute('disabled', ended);

    // Progress moves only on running subtasks; otherwise the table changes only when /status does.
    const seen = JSON.stringify([
      status.status,
      status.createdCount,
      status.statusCounts,
      status.updatedAt,
    ]);
    if (!tasksLoaded || seen !== lastSeen || status.statusCounts.running > 0) {
      table.update((await getTasks(batchId)).tasks);
      tasksLoaded = true;
    }
    lastSeen = seen;
    pollState.textContent = ended ? t('detail.stopped') : t('detail.polling');
    return ended;
  };

  const poller = startPoller(tick, POLL_MS, (e) => showError(pollError, e));
  return () => {
    poller.stop();
    dialog?.close();
  };
}
