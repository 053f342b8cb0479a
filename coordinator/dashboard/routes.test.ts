import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_FILES, dashboardRoutes } from './routes.js';

const DIR = path.dirname(fileURLToPath(import.meta.url));

describe('dashboardRoutes', () => {
  const app = dashboardRoutes();

  it('serves index.html at / with an HTML content type and a same-origin policy', async () => {
    const res = await app.request('/');

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toBe(await readFile(path.join(DIR, 'index.html'), 'utf8'));
  });

  it('serves every listed file byte for byte with its content type', async () => {
    const types = { '.html': 'text/html', '.css': 'text/css', '.js': 'text/javascript' };
    for (const file of DASHBOARD_FILES) {
      const res = await app.request(`/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type')).toBe(
        `${types[path.extname(file) as keyof typeof types]}; charset=utf-8`,
      );
      expect(Buffer.from(await res.arrayBuffer())).toEqual(await readFile(path.join(DIR, file)));
    }
  });

  it('lists every .html, .css and .js file of the folder, so none is forgotten', async () => {
    const entries = await readdir(DIR, { recursive: true });
    const assets = entries
      .map((entry) => entry.split(path.sep).join('/'))
      .filter((entry) => /\.(html|css|js)$/.test(entry))
      .sort();
    expect([...DASHBOARD_FILES].sort()).toEqual(assets);
  });

  it('serves nothing else: no source, no traversal, no directory listing', async () => {
    const refused = [
      '/routes.ts',
      '/routes.test.ts',
      '/pages/',
      '/pages',
      '/app.js/',
      '/../http/app.ts',
      '/pages/../routes.ts',
      '/%2e%2e/http/app.ts',
      '/pages/..%2froutes.ts',
      '/..%2f..%2fpackage.json',
    ];
    for (const url of refused) {
      expect((await app.request(url)).status, url).toBe(404);
    }
  });
});
