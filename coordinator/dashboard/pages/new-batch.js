import { createBatch, listDevices, listMeetings } from '../api.js';
import { h } from '../dom.js';
import { formatBytes } from '../format.js';
import { t } from '../i18n.js';

/**
 * Chooses meetings from the library and online devices, creates the batch, and goes on to its
 * detail page.
 *
 * @param {HTMLElement} root
 */
export function mountNewBatch(root) {
  /** @type {Set<string>} */
  const meetings = new Set();
  /** @type {Set<string>} */
  const devices = new Set();
  /** @type {Map<string, number>} meeting id → bytes */
  const meetingBytes = new Map();
  /** @type {{ free?: number, warning: HTMLElement }[]} */
  const spaceChecks = [];
  let disposed = false;

  const error = h('div', { class: 'alert', role: 'alert', hidden: true });
  const summary = h('p', { class: 'summary-line', 'aria-live': 'polite' });
  const submit = h(
    'button',
    { type: 'submit', class: 'btn btn-primary', disabled: true },
    t('new.submit'),
  );
  const meetingBox = h('fieldset', { class: 'picker', dataset: { picker: 'meetings' } });
  const deviceBox = h('fieldset', { class: 'picker', dataset: { picker: 'devices' } });

  const refresh = () => {
    const total = meetings.size * devices.size;
    summary.textContent = t('new.summary', {
      meetings: meetings.size,
      devices: devices.size,
      total,
    });
    submit.toggleAttribute('disabled', total === 0);
    const needed = [...meetings].reduce((sum, id) => sum + (meetingBytes.get(id) ?? 0), 0);
    for (const check of spaceChecks) {
      check.warning.hidden = check.free === undefined || check.free >= needed;
    }
  };

  const onSubmit = async (/** @type {SubmitEvent} */ event) => {
    event.preventDefault();
    error.hidden = true;
    submit.setAttribute('disabled', '');
    submit.textContent = t('new.submitting');
    try {
      const created = await createBatch({ meetingIds: [...meetings], serialNumbers: [...devices] });
      location.hash = `#/batches/${encodeURIComponent(created.batchId)}`;
    } catch (e) {
      if (disposed) return;
      error.hidden = false;
      error.textContent = e instanceof Error ? e.message : String(e);
      submit.textContent = t('new.submit');
      refresh();
    }
  };

  root.append(
    h('div', { class: 'page-head' }, h('h1', null, t('new.title'))),
    error,
    h(
      'form',
      { class: 'new-batch', onsubmit: onSubmit },
      h('div', { class: 'pickers' }, meetingBox, deviceBox),
      h('div', { class: 'form-foot' }, summary, submit),
    ),
  );
  meetingBox.append(
    h('legend', null, t('new.meetings')),
    h('p', { class: 'muted' }, t('common.loading')),
  );
  deviceBox.append(
    h('legend', null, t('new.devices')),
    h('p', { class: 'muted' }, t('common.loading')),
  );
  refresh();

  Promise.all([listMeetings(), listDevices()]).then(
    ([library, online]) => {
      if (disposed) return;
      for (const m of library.meetings) meetingBytes.set(m.meetingId, m.totalBytes);
      fillPicker(
        meetingBox,
        'new.meetings',
        'new.noMeetings',
        meetings,
        refresh,
        library.meetings.map((/** @type {any} */ m) => ({
          id: m.meetingId,
          meta: t('new.files', { count: m.fileCount, size: formatBytes(m.totalBytes) }),
        })),
      );
      fillPicker(
        deviceBox,
        'new.devices',
        'new.noDevices',
        devices,
        refresh,
        online.devices
          .filter((/** @type {any} */ d) => d.online)
          .map((/** @type {any} */ d) => {
            const warning = h('span', { class: 'warn', hidden: true }, `⚠ ${t('new.mayNotFit')}`);
            spaceChecks.push({ free: d.freeBytes, warning });
            return { id: d.serialNumber, meta: deviceMeta(d), extra: warning };
          }),
      );
      refresh();
    },
    (e) => {
      if (disposed) return;
      error.hidden = false;
      error.textContent = e instanceof Error ? e.message : String(e);
    },
  );

  return () => {
    disposed = true;
  };
}

/** @param {any} device */
function deviceMeta(device) {
  const space =
    typeof device.freeBytes === 'number'
      ? t('new.space', {
          free: formatBytes(device.freeBytes),
          total: formatBytes(device.totalBytes),
        })
      : t('new.spaceUnknown');
  return [device.agentId, device.fsType, space].filter(Boolean).join(' · ');
}

/**
 * A checkbox list with a filter box and select-all / select-none.
 *
 * @param {HTMLElement} box
 * @param {string} legendKey
 * @param {string} emptyKey
 * @param {Set<string>} selected
 * @param {() => void} onChange
 * @param {{ id: string, meta: string, extra?: HTMLElement }[]} items
 */
function fillPicker(box, legendKey, emptyKey, selected, onChange, items) {
  const legend = h('legend', null, t(legendKey));
  if (items.length === 0) {
    box.replaceChildren(legend, h('p', { class: 'empty' }, t(emptyKey)));
    return;
  }

  const rows = items.map((item) => {
    const input = h('input', { type: 'checkbox', value: item.id });
    input.addEventListener('change', () => {
      if (input.checked) selected.add(item.id);
      else selected.delete(item.id);
      onChange();
    });
    const label = h(
      'label',
      { class: 'pick', dataset: { id: item.id } },
      input,
      h('span', { class: 'pick-id mono' }, item.id),
      h('span', { class: 'pick-meta muted' }, item.meta, item.extra),
    );
    return { item, input, label };
  });

  const setAll = (/** @type {boolean} */ checked) => {
    for (const row of rows) {
      if (row.label.hidden) continue;
      row.input.checked = checked;
      if (checked) selected.add(row.item.id);
      else selected.delete(row.item.id);
    }
    onChange();
  };
  const filter = h('input', {
    type: 'search',
    class: 'filter',
    placeholder: t('new.filter'),
    'aria-label': t('new.filter'),
  });
  filter.addEventListener('input', () => {
    const needle = filter.value.trim().toLowerCase();
    for (const row of rows) row.label.hidden = !row.item.id.toLowerCase().includes(needle);
  });

  box.replaceChildren(
    legend,
    h(
      'div',
      { class: 'picker-tools' },
      filter,
      h(
        'button',
        { type: 'button', class: 'btn btn-small', onclick: () => setAll(true) },
        t('new.all'),
      ),
      h(
        'button',
        { type: 'button', class: 'btn btn-small', onclick: () => setAll(false) },
        t('new.none'),
      ),
    ),
    h(
      'div',
      { class: 'pick-list' },
      rows.map((row) => row.label),
    ),
  );
}
