/**
 * The dashboard in a real browser (Debian's headless Chromium driven by playwright-core) against
 * a real coordinator and agent: the form creates a batch, the table follows it to its end, the
 * live dialog follows a rate-limited copy over SSE, a failed row is retried, a batch cancelled,
 * and with an API token the page asks for it and streams progress with fetch instead.
 */
import path from 'node:path';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, BATCH_ENDED, pollUntil, sleep } from './helpers/api.js';
import { browserMissing, launchBrowser, skipBrowser } from './helpers/browser.js';
import { makeDeviceDir } from './helpers/devices.js';
import { compareTrees, makeMeeting } from './helpers/library.js';
import {
  startAgentFor,
  startCoordinator,
  tempDir,
  type Agent,
  type Coordinator,
} from './helpers/system.js';

declare global {
  interface Window {
    /** Every EventSource the page made, recorded by an init script (see `openPage`). */
    __eventSources: EventSource[];
  }
}

const MiB = 1024 * 1024;
const FORM_A = 'WST300LX2000001';
const FORM_B = 'WST300LX2000002';
const LIVE = 'WST300LX2000003';
const CANCEL = 'WST300LX2000004';
const LATE = 'WST300LX2000009';
const BIG_MEETING = 'recording-large';
const BIG_BYTES = 20 * MiB;
/** The agent copies at 4 MiB/s, so the big meeting takes about five seconds. */
const BW_LIMIT = 4 * MiB;
/** Longer than one 2 s poll of the detail page, for what the next poll shows. */
const SOON = { timeout: 5_000 };

const SKIP = skipBrowser();
const TITLE = SKIP
  ? `dashboard in Chromium (skipped: ${browserMissing()})`
  : 'dashboard in headless Chromium';
if (SKIP) console.warn(`test/dashboard.test.ts skipped: ${browserMissing()}`);

let browser: BrowserContext;
const pages: { page: Page; errors: string[] }[] = [];

/** A new tab; EventSource is wrapped so the test can read every stream's readyState. */
async function openPage(url: string): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.addInitScript(() => {
    const Native = window.EventSource;
    const made: EventSource[] = [];
    window.__eventSources = made;
    window.EventSource = class extends Native {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        made.push(this);
      }
    };
  });
  pages.push({ page, errors });
  await page.goto(url);
  return page;
}

const rowOf = (page: Page, serialNumber: string) =>
  page.locator(`table.subtasks tr[data-serial-number="${serialNumber}"]`);
const summaryStatus = (page: Page) => page.locator('section.summary').getAttribute('data-status');
const streamStates = (page: Page) =>
  page.evaluate(() => window.__eventSources.map((source) => source.readyState));

async function startBrowser(): Promise<BrowserContext> {
  const missing = browserMissing();
  if (missing)
    throw new Error(`browser tests need Chromium (CI=true fails instead of skipping): ${missing}`);
  return launchBrowser();
}

beforeAll(async () => {
  if (!SKIP) browser = await startBrowser();
});

afterEach(async () => {
  const open = pages.splice(0);
  await Promise.all(open.map(({ page }) => page.close()));
  expect(open.flatMap(({ errors }) => errors)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(SKIP)(TITLE, () => {
  let coordinator: Coordinator;
  let agent: Agent;
  let api: ApiClient;
  let mountRoot: string;

  beforeAll(async () => {
    coordinator = await startCoordinator({
      // A limit of 3 subtasks lets the form meet a real 413 with 2 meetings × 2 devices.
      env: { WST_DEVICE_SETTLE_MS: '0', WST_MAX_BATCH_SIZE: '3' },
    });
    api = new ApiClient(coordinator.httpUrl);
    await makeMeeting(coordinator.meetingsDir, 'minutes-small', {
      'agenda.pdf': 150_000,
      'notes/summary.txt': '会议纪要',
    });
    await makeMeeting(coordinator.meetingsDir, 'briefing-small', { 'slides.pptx': 300_000 });
    await makeMeeting(coordinator.meetingsDir, BIG_MEETING, { 'recording.mp4': BIG_BYTES });

    mountRoot = await tempDir('wst-mounts-');
    for (const serial of [FORM_A, FORM_B, LIVE, CANCEL]) await makeDeviceDir(mountRoot, serial);
    agent = await startAgentFor(coordinator, {
      agentId: 'host-dash',
      mountRoot,
      bwLimit: BW_LIMIT,
      progressIntervalMs: 100,
    });
    await api.waitForDevices(4);
  });

  afterAll(async () => {
    await agent?.stop();
    await coordinator?.stop();
  });

  it('creates a batch through the form, shows a 413 as the server words it, and follows the table to its end', async () => {
    const page = await openPage(`${coordinator.httpUrl}/#/new`);
    const pick = (picker: string, id: string) =>
      page.locator(`fieldset[data-picker="${picker}"] label[data-id="${id}"] input`);

    await pick('meetings', 'minutes-small').check();
    await pick('meetings', 'briefing-small').check();
    await pick('devices', FORM_A).check();
    await pick('devices', FORM_B).check();
    expect(await page.locator('.summary-line').textContent()).toBe(
      '2 个会议 × 2 台设备 = 4 个子任务',
    );
    await page.locator('form.new-batch button[type="submit"]').click();
    await page.locator('.alert:not([hidden])').waitFor();
    expect(await page.locator('.alert:not([hidden])').textContent()).toBe(
      'batch of 4 subtasks (meetings × devices) exceeds the limit of 3 (WST_MAX_BATCH_SIZE)',
    );

    await pick('meetings', 'briefing-small').uncheck();
    await page.locator('form.new-batch button[type="submit"]').click();
    await page.waitForURL(/#\/batches\/batch_\d{8}_\d{6}_[0-9a-f]{6}$/);
    const batchId = decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);

    const statusPolls: number[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith(`/batch/${batchId}/status`)) statusPolls.push(Date.now());
    });
    await expect.poll(() => summaryStatus(page), { timeout: 20_000 }).toBe('completed');
    const endedAt = Date.now();
    const rows = page.locator('table.subtasks tbody tr');
    expect(await rows.count()).toBe(2);
    for (const serial of [FORM_A, FORM_B]) {
      expect(await rowOf(page, serial).getAttribute('data-status')).toBe('completed');
      expect(await rowOf(page, serial).locator('.tag').textContent()).toBe('✓已完成');
      await compareTrees(
        path.join(coordinator.meetingsDir, 'minutes-small'),
        path.join(mountRoot, serial, 'meetings', 'minutes-small'),
      );
    }
    expect(await page.locator('[data-stat="completed"] dd').textContent()).toBe('2');
    expect(await page.locator('.poll-state').textContent()).toBe('批次已结束，停止自动刷新');

    // Polling stops at the terminal status: no /status request for more than one interval.
    await sleep(Math.max(0, endedAt + 2_500 - Date.now()));
    expect(statusPolls.filter((at) => at > endedAt)).toEqual([]);

    await page.locator('nav a[href="#/batches"]').click();
    const listRow = page.locator(`table.batches tr[data-batch-id="${batchId}"]`);
    await listRow.waitFor();
    expect(await listRow.locator('[data-field="done"]').textContent()).toBe('2/2');
    expect(await listRow.locator('.tag').textContent()).toBe('✓全部完成');
    const { tasks } = await api.listBatches();
    const created = new Date(tasks.find((b) => b.batchId === batchId)!.createdAt);
    const shanghai = new Date(created.getTime() + 8 * 3600_000).toISOString(); // the browser's zone
    const [day, time] = [shanghai.slice(0, 10).replaceAll('-', '/'), shanghai.slice(11, 19)];
    expect(await listRow.locator('td').nth(1).textContent()).toBe(`${day} ${time}`);
  });

  it('switches the UI to English and keeps the choice across a reload', async () => {
    const page = await openPage(`${coordinator.httpUrl}/#/batches`);
    await page.locator('table.batches tbody tr').first().waitFor();

    await page.locator('[data-action="lang"]').click();
    expect(await page.locator('nav.nav').textContent()).toBe('BatchesNew batchDevices');
    await page.reload();
    await page.locator('table.batches tbody tr').first().waitFor();
    expect(await page.locator('h1').textContent()).toBe('Batches');
    expect(await page.locator('table.batches .tag').first().textContent()).toMatch(
      /Completed|Running/,
    );

    await page.locator('[data-action="lang"]').click();
    expect(await page.locator('h1').textContent()).toBe('批量任务');
  });

  it('shows live progress in the dialog, closes the stream on close and at the final event', async () => {
    const { batchId } = await api.createBatch({ meetingIds: [BIG_MEETING], serialNumbers: [LIVE] });
    await pollUntil(
      async () => (await api.getTasks(batchId)).tasks[0],
      (task) => task?.status === 'running',
      { timeoutMs: 10_000, intervalMs: 50, description: 'the copy to start' },
    );
    const page = await openPage(`${coordinator.httpUrl}/#/batches/${batchId}`);
    const streams: Request[] = [];
    const aborted: string[] = [];
    page.on('request', (r) => r.url().includes('/progress/stream') && streams.push(r));
    page.on('requestfailed', (r) => {
      if (r.url().includes('/progress/stream')) aborted.push(r.failure()?.errorText ?? '');
    });

    await rowOf(page, LIVE).locator('.progress-cell [role="progressbar"]').waitFor();
    await rowOf(page, LIVE).locator('[data-action="viewProgress"]').click();
    const dialog = page.locator('dialog.progress-dialog');
    const percents = new Set<number>();
    await expect
      .poll(
        async () => {
          const value = Number(await dialog.locator('.bar').getAttribute('aria-valuenow'));
          if (value > 0 && value < 100) percents.add(value);
          return percents.size;
        },
        { timeout: 10_000, interval: 50 },
      )
      .toBeGreaterThanOrEqual(2);
    expect(await dialog.getAttribute('data-stream')).toBe('open');
    expect(await dialog.locator('[data-field="copied"]').textContent()).toMatch(
      /^[\d.]+ (KB|MB) \/ 20\.0 MB$/,
    );
    expect(await dialog.locator('[data-field="speed"]').textContent()).toMatch(
      /^[\d.]+ (KB|MB)\/s$/,
    );
    expect(await dialog.locator('[data-field="file"]').textContent()).toBe('recording.mp4');

    // Closed mid-copy: the browser drops the stream and EventSource does not come back.
    await dialog.locator('button[value="close"]').click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => aborted, SOON).toEqual(['net::ERR_ABORTED']);
    expect(await streamStates(page)).toEqual([2]);
    expect((await api.getTasks(batchId)).tasks[0]!.status).toBe('running');

    // Opened again, it stays until the final event and then closes its side itself.
    await rowOf(page, LIVE).locator('[data-action="viewProgress"]').click();
    await expect.poll(() => dialog.getAttribute('data-stream'), { timeout: 15_000 }).toBe('ended');
    expect(await dialog.locator('.result').textContent()).toBe('同步完成');
    expect(await dialog.locator('.bar').getAttribute('aria-valuenow')).toBe('100');
    expect(await dialog.locator('[data-field="copied"]').textContent()).toBe('20.0 MB / 20.0 MB');
    expect(await streamStates(page)).toEqual([2, 2]);
    expect(streams).toHaveLength(2);
    await dialog.locator('button[value="close"]').click();

    await expect.poll(() => rowOf(page, LIVE).getAttribute('data-status'), SOON).toBe('completed');
    await compareTrees(
      path.join(coordinator.meetingsDir, BIG_MEETING),
      path.join(mountRoot, LIVE, 'meetings', BIG_MEETING),
    );
  });

  it('retries a failed row whose device has appeared since, and the row completes on attempt 2', async () => {
    const { batchId } = await api.createBatch({
      meetingIds: ['minutes-small'],
      serialNumbers: [FORM_A, LATE],
    });
    await pollUntil(
      () => api.getStatus(batchId),
      (s) => BATCH_ENDED.includes(s.status),
      {
        timeoutMs: 20_000,
        description: 'the batch to end',
      },
    );
    const page = await openPage(`${coordinator.httpUrl}/#/batches/${batchId}`);
    await expect.poll(() => summaryStatus(page), SOON).toBe('partial_failed');
    const late = rowOf(page, LATE);
    expect(await late.locator('.reason').textContent()).toBe('1001 设备未在线');
    expect(await rowOf(page, FORM_A).locator('[data-action="retry"]').count()).toBe(0);
    expect(await page.locator('[data-action="retryAll"]').isEnabled()).toBe(true);

    await makeDeviceDir(mountRoot, LATE);
    await api.waitForDevices(5);
    const retry = page.waitForRequest((r) => r.url().endsWith(`/batch/${batchId}/retry`));
    await late.locator('[data-action="retry"]').click();
    expect((await retry).postDataJSON()).toEqual({
      tasks: [{ meetingId: 'minutes-small', serialNumber: LATE }],
    });

    await expect
      .poll(() => late.getAttribute('data-status'), { timeout: 20_000 })
      .toBe('completed');
    expect(await late.locator('.attempt').textContent()).toBe('第 2 次');
    await expect.poll(() => summaryStatus(page), SOON).toBe('completed');
    expect(await page.locator('.alert:not([hidden])').count()).toBe(0);
    await compareTrees(
      path.join(coordinator.meetingsDir, 'minutes-small'),
      path.join(mountRoot, LATE, 'meetings', 'minutes-small'),
    );
  });

  it('shows what each device is syncing, then cancels that batch from its detail page', async () => {
    const { batchId } = await api.createBatch({
      meetingIds: [BIG_MEETING],
      serialNumbers: [CANCEL],
    });
    await pollUntil(
      async () => (await api.getTasks(batchId)).tasks[0],
      (task) => task?.status === 'running',
      { timeoutMs: 10_000, intervalMs: 50, description: 'the copy to start' },
    );

    const page = await openPage(`${coordinator.httpUrl}/#/devices`);
    const device = page.locator(`table.devices tr[data-serial-number="${CANCEL}"]`);
    await device.waitFor();
    expect(await device.locator('.syncing').textContent()).toMatch(/^recording-large \d+\.\d%$/);
    expect(await device.locator('td').nth(2).textContent()).toBe('host-dash');
    expect(await device.locator('.space').textContent()).toMatch(
      /^可用 [\d.]+ [KMGT]B \/ 共 [\d.]+ [KMGT]B$/,
    );
    expect(
      await page.locator(`table.devices tr[data-serial-number="${FORM_A}"] .syncing`).textContent(),
    ).toBe('空闲');

    await device.locator('.syncing a').click();
    await page.waitForURL(new RegExp(`#/batches/${batchId}$`));
    page.once('dialog', (confirm) => void confirm.accept());
    await page.locator('[data-action="cancel"]:not([disabled])').click();

    await expect.poll(() => summaryStatus(page), { timeout: 10_000 }).toBe('cancelled');
    await expect
      .poll(() => rowOf(page, CANCEL).getAttribute('data-status'), SOON)
      .toBe('cancelled');
    expect(await rowOf(page, CANCEL).locator('.reason').textContent()).toMatch(/^1008 已取消/);
    expect(await page.locator('[data-action="cancel"]').isDisabled()).toBe(true);
  });
});

describe.skipIf(SKIP)(`${TITLE} with WST_API_TOKEN`, () => {
  const API_TOKEN = 'dashboard-test-token';
  let coordinator: Coordinator;
  let agent: Agent;
  let api: ApiClient;

  beforeAll(async () => {
    coordinator = await startCoordinator({
      env: { WST_DEVICE_SETTLE_MS: '0', WST_API_TOKEN: API_TOKEN },
    });
    api = new ApiClient(coordinator.httpUrl, { authorization: `Bearer ${API_TOKEN}` });
    await makeMeeting(coordinator.meetingsDir, 'minutes-small', { 'agenda.pdf': 150_000 });
    const mountRoot = await tempDir('wst-mounts-');
    await makeDeviceDir(mountRoot, FORM_A);
    agent = await startAgentFor(coordinator, {
      agentId: 'host-token',
      mountRoot,
    });
    await api.waitForDevices(1);
  });

  afterAll(async () => {
    await agent?.stop();
    await coordinator?.stop();
  });

  it('serves the page without a token, asks for it once, and streams progress with the header', async () => {
    for (const file of ['/', '/app.js', '/style.css']) {
      expect((await fetch(coordinator.httpUrl + file)).status, file).toBe(200);
    }
    expect((await fetch(`${coordinator.httpUrl}/api/v1/mount/sync/batch`)).status).toBe(401);
    const { batchId } = await api.createBatch({
      meetingIds: ['minutes-small'],
      serialNumbers: [FORM_A],
    });
    await pollUntil(
      () => api.getStatus(batchId),
      (s) => s.status === 'completed',
      {
        timeoutMs: 20_000,
        description: 'the batch to complete',
      },
    );

    const page = await openPage(`${coordinator.httpUrl}/`);
    const panel = page.locator('.token-panel');
    await panel.waitFor();
    expect(await panel.locator('.alert').textContent()).toBe(
      'missing or wrong API token (Authorization: Bearer <token>)',
    );
    await panel.locator('input[name="token"]').fill(API_TOKEN);
    await panel.locator('button[type="submit"]').click();
    await page.locator(`table.batches tr[data-batch-id="${batchId}"] a`).click();

    const stream = page.waitForRequest((r) => r.url().includes('/progress/stream'));
    await rowOf(page, FORM_A).locator('[data-action="viewProgress"]').click();
    const headers = await (await stream).allHeaders();
    expect(headers.authorization).toBe(`Bearer ${API_TOKEN}`);
    const dialog = page.locator('dialog.progress-dialog');
    await expect.poll(() => dialog.getAttribute('data-stream'), SOON).toBe('ended');
    expect(await dialog.locator('.result').textContent()).toBe('同步完成');
    expect(await streamStates(page)).toEqual([]);

    expect(await page.evaluate(() => sessionStorage.getItem('wst.apiToken'))).toBe(API_TOKEN);
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(API_TOKEN);
  });
});

