import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';

const DIR = path.dirname(fileURLToPath(import.meta.url));

/**
 * Every file the dashboard is made of, as its path below this folder and below `/`. Only these
 * are served, each on its own exact route, so no request path can reach any other file.
 */
export const DASHBOARD_FILES = [
  'index.html',
  'style.css',
  'app.js',
  'api.js',
  'dom.js',
  'format.js',
  'i18n.js',
  'strings.js',
  'poller.js',
  'progress-dialog.js',
  'progress-stream.js',
  'sse-parser.js',
  'shell.js',
  'status.js',
  'toast.js',
  'token.js',
  'pages/batch-detail.js',
  'pages/batch-list.js',
  'pages/batch-summary.js',
  'pages/devices.js',
  'pages/device-activity.js',
  'pages/new-batch.js',
  'pages/subtask-table.js',
] as const;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/** The page talks to this origin only; data from the API never becomes markup or script. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/**
 * The dashboard: plain HTML, CSS and JS modules that use only the public API. Served without the
 * API token; the page asks for the token itself when the API answers 401.
 */
export function dashboardRoutes(): Hono {
  const app = new Hono();

  const serve = (file: string) => async () => {
    const body = await readFile(path.join(DIR, file));
    return new Response(body, {
      headers: {
        'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      },
    });
  };

  app.get('/', serve('index.html'));
  for (const file of DASHBOARD_FILES) app.get(`/${file}`, serve(file));
  return app;
}
