import { existsSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';
import { tempDir } from './temp-dir.js';

/** Debian's Chromium (`apt-get install chromium`); playwright-core drives it, never downloads one. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a headless Chromium on a machine with no network but loopback: nothing phones home,
 * and root needs `--no-sandbox`.
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Why browser tests cannot run here, or `undefined` when they can. */
export function browserMissing(): string | undefined {
  return existsSync(CHROMIUM_PATH)
    ? undefined
    : `${CHROMIUM_PATH} is missing (apt-get install -y --no-install-recommends chromium)`;
}

/** Skip browser tests where Chromium is missing, except under `CI=true`, where they must fail. */
export function skipBrowser(): boolean {
  return browserMissing() !== undefined && process.env.CI !== 'true';
}

export interface BrowserOptions {
  viewport?: { width: number; height: number };
  locale?: string;
  timezoneId?: string;
}

/**
 * Headless Chromium with a fresh profile in a temp dir (removed with the file's temp dirs).
 * Close the context when done; that ends the browser.
 */
export async function launchBrowser(options: BrowserOptions = {}): Promise<BrowserContext> {
  const missing = browserMissing();
  if (missing) throw new Error(`cannot start the browser: ${missing}`);
  const profile = await tempDir('wst-chromium-');
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    locale: options.locale ?? 'zh-CN',
    timezoneId: options.timezoneId ?? 'Asia/Shanghai',
  });
}
