import type { Manifest } from '../../shared/manifest.js';
import { BenchChild } from '../lib/child.js';
import type { BareCopyReply, BareCopyRequest } from './bare-copy-process.js';

/** The bare pull-copy baseline: a file server and a copier, each in a process of its own. */
export class BareCopier {
  readonly #server = new BenchChild<BareCopyRequest, BareCopyReply>('baseline/bare-copy-process.ts');
  readonly #copier = new BenchChild<BareCopyRequest, BareCopyReply>('baseline/bare-copy-process.ts');
  #url: Promise<string>;

  constructor(meetingDir: string) {
    this.#url = this.#server.ask({ type: 'serve', dir: meetingDir }, 'serving').then((r) => r.url);
  }

  async copy(manifest: Manifest, target: string): Promise<number> {
    const request = { type: 'copy' as const, url: await this.#url, files: manifest.files, target };
    return (await this.#copier.ask(request, 'copied', 600_000)).ms;
  }

  async stop(): Promise<void> {
    for (const child of [this.#server, this.#copier]) {
      await child.ask({ type: 'stop' }, 'stopped').catch(() => undefined);
      await child.stop();
    }
  }
}
