import { progressStreamUrl } from './api.js';
import { h, progressBar, setProgress } from './dom.js';
import { formatBytes, formatDuration, formatPercent, formatSpeed } from './format.js';
import { errorText, t } from './i18n.js';
import { followProgress } from './progress-stream.js';
import { statusTag } from './status.js';

/**
 * A modal with one subtask's live progress over SSE. Closing it (button, Esc or `close()`)
 * closes the stream; so does the final event.
 *
 * @param {{ taskId: string, meetingId: string, serialNumber: string, status: string }} subtask
 * @returns {{ close(): void }}
 */
export function openProgressDialog(subtask) {
  const bar = progressBar(0, t('progress.title'));
  const percent = h('span', { class: 'percent' }, formatPercent(0));
  const status = h('span', { class: 'dialog-status' }, statusTag('task', subtask.status));
  const values = {
    copied: h('dd', { dataset: { field: 'copied' } }, t('common.none')),
    speed: h('dd', { dataset: { field: 'speed' } }, t('common.none')),
    eta: h('dd', { dataset: { field: 'eta' } }, t('common.none')),
    file: h('dd', { class: 'file', dataset: { field: 'file' } }, t('common.none')),
    files: h('dd', { dataset: { field: 'files' } }, t('common.none')),
  };
  const streamState = h('p', { class: 'stream-state muted', 'aria-live': 'polite' });
  const result = h('div', { class: 'result', role: 'status', hidden: true });
  const closeButton = h(
    'button',
    { type: 'button', class: 'btn', value: 'close' },
    t('progress.close'),
  );

  const dialog = h(
    'dialog',
    {
      class: 'progress-dialog',
      'aria-labelledby': 'progress-title',
      dataset: { taskId: subtask.taskId },
    },
    h(
      'header',
      { class: 'dialog-head' },
      h('h2', { id: 'progress-title' }, t('progress.title')),
      status,
    ),
    h('p', { class: 'dialog-sub' }, `${subtask.meetingId} → ${subtask.serialNumber}`),
    h('p', { class: 'muted mono small' }, subtask.taskId),
    h('div', { class: 'dialog-bar' }, bar, percent),
    h(
      'dl',
      { class: 'facts' },
      fact('progress.copied', values.copied),
      fact('progress.speed', values.speed),
      fact('progress.eta', values.eta),
      fact('progress.files', values.files),
      fact('progress.file', values.file),
    ),
    result,
    streamState,
    h('footer', { class: 'dialog-foot' }, closeButton),
  );

  /** @param {any} data a `progress`, `completed` or `failed` event's data */
  const show = (data) => {
    setProgress(bar, data.percent ?? 0);
    percent.textContent = formatPercent(data.percent ?? 0);
    status.replaceChildren(statusTag('task', data.status));
    values.copied.textContent = `${formatBytes(data.copiedBytes)} / ${formatBytes(data.totalBytes)}`;
    values.speed.textContent = formatSpeed(data.speed);
    values.eta.textContent =
      data.eta === null || data.eta === undefined
        ? t('progress.estimating')
        : formatDuration(data.eta);
    values.file.textContent = data.currentFile ?? t('common.none');
    values.files.textContent = `${data.filesDone ?? 0} / ${data.fileCount ?? 0}`;
  };

  /** @param {string} event @param {any} data */
  const showResult = (event, data) => {
    show(data);
    result.hidden = false;
    result.className = `result result-${event}`;
    const reason = event === 'completed' ? '' : errorText(data.errorCode, data.errorMessage);
    result.replaceChildren(h('strong', null, t(`progress.${event}`)));
    if (reason) result.append(` ${reason}`);
    if (data.errorDetail) result.append(h('p', { class: 'mono small' }, data.errorDetail));
  };

  /** @param {string} state @param {string} [message] */
  const showState = (state, message) => {
    dialog.dataset.stream = state;
    /** @type {Record<string, string>} */
    const text = {
      connecting: t('progress.connecting'),
      open: t('progress.open'),
      reconnecting: t('progress.reconnecting'),
      lost: t('progress.lost'),
      error: message ? `${t('progress.cannotOpen')}: ${message}` : t('progress.cannotOpen'),
    };
    streamState.textContent = text[state] ?? '';
    streamState.classList.toggle('stream-error', state === 'error' || state === 'lost');
  };

  document.body.append(dialog);
  const stream = followProgress(progressStreamUrl(subtask.taskId, subtask.serialNumber), {
    onState: showState,
    onProgress: show,
    onFinal: showResult,
  });
  closeButton.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    stream.close();
    dialog.remove();
  });
  dialog.showModal();

  return { close: () => dialog.open && dialog.close() };
}

/** @param {string} key @param {HTMLElement} value */
function fact(key, value) {
  return h('div', { class: 'fact' }, h('dt', null, t(key)), value);
}
