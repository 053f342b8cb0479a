import { listDevices } from '../api.js';
import { h, progressBar } from '../dom.js';
import { formatBytes, formatPercent } from '../format.js';
import { t } from '../i18n.js';
import { startPoller } from '../poller.js';
import { tag } from '../status.js';
import { deviceActivity, RECENT_BATCHES } from './device-activity.js';

const REFRESH_MS = 5000;

/**
 * The devices the agents report, with free space and what is being copied onto each.
 *
 * @param {HTMLElement} root
 */
export function mountDevices(root) {
  let showOffline = false;
  const error = h('div', { class: 'alert', role: 'alert', hidden: true });
  const body = h('div', null, h('p', { class: 'muted' }, t('common.loading')));
  const toggle = h('input', { type: 'checkbox' });

  root.append(
    h(
      'div',
      { class: 'page-head' },
      h('h1', null, t('devices.title')),
      h('label', { class: 'check' }, toggle, t('devices.showOffline')),
    ),
    error,
    body,
    h('p', { class: 'muted small' }, t('devices.note', { count: RECENT_BATCHES })),
  );

  const poller = startPoller(
    async () => {
      const [{ devices }, activity] = await Promise.all([
        listDevices(showOffline),
        deviceActivity(),
      ]);
      error.hidden = true;
      body.replaceChildren(renderTable(devices, activity));
      return false;
    },
    REFRESH_MS,
    (e) => {
      error.hidden = false;
      error.textContent = e instanceof Error ? e.message : String(e);
    },
  );
  toggle.addEventListener('change', () => {
    showOffline = toggle.checked;
    poller.restart();
  });
  return () => poller.stop();
}

/**
 * @param {any[]} devices
 * @param {Map<string, import('./device-activity.js').DeviceActivity>} activity
 */
function renderTable(devices, activity) {
  if (devices.length === 0) return h('p', { class: 'empty' }, t('devices.empty'));
  const head = ['serial', 'state', 'agent', 'fs', 'space', 'syncing', 'mount'];
  const sorted = [...devices].sort((a, b) => a.serialNumber.localeCompare(b.serialNumber));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table devices' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          head.map((key) => h('th', { scope: 'col' }, t(`devices.${key}`))),
        ),
      ),
      h(
        'tbody',
        null,
        sorted.map((d) =>
          h(
            'tr',
            { dataset: { serialNumber: d.serialNumber } },
            h('td', { class: 'mono' }, d.serialNumber),
            h(
              'td',
              null,
              tag(
                d.online ? 'online' : 'offline',
                t(d.online ? 'devices.online' : 'devices.offline'),
              ),
            ),
            h('td', null, d.agentId ?? t('common.none')),
            h('td', null, d.fsType ?? t('common.none')),
            h('td', { class: 'space' }, spaceCell(d)),
            h('td', { class: 'syncing' }, syncingCell(activity.get(d.serialNumber))),
            h('td', { class: 'mono small path' }, d.mountPath ?? t('common.none')),
          ),
        ),
      ),
    ),
  );
}

/** @param {any} device */
function spaceCell(device) {
  if (typeof device.freeBytes !== 'number') return t('common.none');
  const text =
    typeof device.totalBytes === 'number'
      ? t('new.space', {
          free: formatBytes(device.freeBytes),
          total: formatBytes(device.totalBytes),
        })
      : formatBytes(device.freeBytes);
  const used = device.totalBytes > 0 ? (1 - device.freeBytes / device.totalBytes) * 100 : 0;
  return [h('span', null, text), progressBar(used, t('devices.used'))];
}

/** @param {import('./device-activity.js').DeviceActivity | undefined} activity */
function syncingCell(activity) {
  if (!activity) return h('span', { class: 'muted' }, t('devices.idle'));
  return h(
    'ul',
    { class: 'syncing-list' },
    activity.running.map((r) =>
      h(
        'li',
        null,
        h('a', { href: `#/batches/${encodeURIComponent(r.batchId)}` }, r.meetingId),
        ` ${formatPercent(r.percent)}`,
      ),
    ),
    activity.waiting > 0 &&
      h('li', { class: 'muted' }, t('devices.queued', { count: activity.waiting })),
  );
}
