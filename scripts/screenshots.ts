/**
 * Takes the README's dashboard screenshots against a throwaway demo system (a coordinator and
 * an agent on free loopback ports, temp dirs): a list with finished, partly failed and running
 * batches, and a running batch's detail page with the live progress dialog open.
 *
 *   npx tsx scripts/screenshots.ts   # writes docs/screenshots/batch-list.png, batch-detail.png
 *
 * Needs /usr/bin/chromium and a CJK font for the Chinese UI (apt-get install fonts-wqy-microhei).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ApiClient, pollUntil } from '../test/helpers/api.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { makeDeviceDir } from '../test/helpers/devices.js';
import { makeMeeting } from '../test/helpers/library.js';
import { REPO_ROOT } from '../test/helpers/processes.js';
import {
  removeTempDirs,
  startAgent,
  startCoordinator,
  tempDir,
  type Agent,
  type Coordinator,
} from '../test/helpers/system.js';

const MiB = 1024 * 1024;
const OUT = path.join(REPO_ROOT, 'docs', 'screenshots');
const DEVICES = ['WST300LX1000560', 'WST300LX1000600', 'WST300LX1000601'];
const ABSENT = 'WST300LX1000999';
const ENDED = ['completed', 'partial_failed', 'failed', 'cancelled'];

async function startDemo(): Promise<{ coordinator: Coordinator; agent: Agent; api: ApiClient }> {
  const coordinator = await startCoordinator({ env: { WST_DEVICE_SETTLE_MS: '0' } });
  await makeMeeting(coordinator.meetingsDir, 'board-2026-q4', {
    'agenda.pdf': 200 * 1024,
    'slides/q4-review.pptx': 3 * MiB,
    'notes/summary.txt': '会议纪要',
  });
  await makeMeeting(coordinator.meetingsDir, 'annual-review-2026', {
    'recording.mp4': 96 * MiB,
    'minutes.docx': 60 * 1024,
  });
  await makeMeeting(coordinator.meetingsDir, 'staff-training', { 'handbook.pdf': 2 * MiB });

  const mountRoot = await tempDir('wst-mounts-');
  for (const serial of DEVICES) await makeDeviceDir(mountRoot, serial);
  const agent = await startAgent({
    mqttUrl: coordinator.mqttUrl,
    httpUrl: coordinator.httpUrl,
    token: coordinator.token,
    agentId: 'host-a',
    mountRoot,
    bwLimit: 8 * MiB,
  });
  const api = new ApiClient(coordinator.httpUrl);
  await pollUntil(
    () => api.request('GET', '/api/v1/mount/devices'),
    (res) => (res.body as { data: { devices: unknown[] } }).data.devices.length === DEVICES.length,
    { timeoutMs: 15_000, description: 'demo devices online' },
  );
  return { coordinator, agent, api };
}

async function untilEnded(api: ApiClient, batchId: string): Promise<void> {
  await pollUntil(
    () => api.getStatus(batchId),
    (s) => ENDED.includes(s.status),
    {
      timeoutMs: 60_000,
      description: `batch ${batchId} to end`,
    },
  );
}

async function main(): Promise<void> {
  const { coordinator, agent, api } = await startDemo();
  const browser = await launchBrowser({ viewport: { width: 1280, height: 800 } });
  try {
    const done = await api.createBatch({
      meetingIds: ['board-2026-q4', 'staff-training'],
      serialNumbers: DEVICES,
    });
    await untilEnded(api, done.batchId);
    const partial = await api.createBatch({
      meetingIds: ['staff-training'],
      serialNumbers: [DEVICES[0]!, ABSENT],
    });
    await untilEnded(api, partial.batchId);
    const running = await api.createBatch({
      meetingIds: ['annual-review-2026', 'board-2026-q4'],
      serialNumbers: [DEVICES[1]!, DEVICES[2]!],
    });

    await mkdir(OUT, { recursive: true });
    const page = await browser.newPage();
    await page.goto(`${coordinator.httpUrl}/#/batches`);
    await page.locator('table.batches tbody tr').nth(2).waitFor();
    await page.screenshot({ path: path.join(OUT, 'batch-list.png') });

    await page.goto(`${coordinator.httpUrl}/#/batches/${running.batchId}`);
    const row = page.locator(
      `tr[data-meeting-id="annual-review-2026"][data-serial-number="${DEVICES[1]}"][data-status="running"]`,
    );
    await row.locator('[data-action="viewProgress"]').click({ timeout: 20_000 });
    await page.waitForFunction(
      () => Number(document.querySelector('dialog .bar')?.getAttribute('aria-valuenow')) > 30,
      undefined,
      { timeout: 30_000 },
    );
    await page.screenshot({ path: path.join(OUT, 'batch-detail.png') });
    process.stderr.write(`screenshots written to ${path.relative(REPO_ROOT, OUT)}/\n`);
  } finally {
    await browser.close();
    await agent.stop();
    await coordinator.stop();
    await removeTempDirs();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
