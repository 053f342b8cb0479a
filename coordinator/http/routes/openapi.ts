import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { openApiDocument } from '../openapi/document.js';

/** `GET /openapi.json`: the API's OpenAPI 3.1 document, built once. Not behind the API token. */
export function openApiRoutes(): Hono {
  const app = new Hono();
  let document: string | undefined;

  app.get('/openapi.json', (c) => {
    document ??= JSON.stringify(openApiDocument(packageVersion()));
    return c.body(document, 200, { 'Content-Type': 'application/json; charset=utf-8' });
  });
  return app;
}

function packageVersion(): string {
  try {
    const manifest: unknown = JSON.parse(
      readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
    );
    const version = (manifest as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
