import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface TimedResponse<T = unknown> {
  status: number;
  body: T;
  /** Request sent to last body byte read, in milliseconds. */
  ms: number;
}

/**
 * A keep-alive HTTP client on one socket, so that a timed request measures the server and not
 * the TCP handshake. Requests on one client run one after another.
 */
export class HttpClient {
  readonly #base: URL;
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(baseUrl: string) {
    this.#base = new URL(baseUrl);
  }

  get<T = unknown>(path: string, headers: Record<string, string> = {}): Promise<TimedResponse<T>> {
    return this.#request('GET', path, undefined, headers);
  }

  post<T = unknown>(path: string, body: unknown): Promise<TimedResponse<T>> {
    return this.#request('POST', path, JSON.stringify(body), { 'content-type': 'application/json' });
  }

  close(): void {
    this.#agent.destroy();
  }

  #request<T>(
    method: string,
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<TimedResponse<T>> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const request = http.request(
        {
          host: this.#base.hostname,
          port: this.#base.port,
          method,
          path,
          agent: this.#agent,
          headers: { ...headers, ...(body && { 'content-length': Buffer.byteLength(body) }) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const ms = performance.now() - started;
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // not JSON: keep the text
            }
            resolve({ status: response.statusCode ?? 0, body: parsed as T, ms });
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }
}

/** The `data` of a `{code: 200, data}` envelope; throws on anything else. */
export function dataOf<T>(response: TimedResponse, what: string): T {
  const body = response.body as { code?: number; data?: T };
  if (response.status !== 200 || body?.code !== 200 || body.data === undefined) {
    throw new Error(`${what}: HTTP ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
  }
  return body.data;
}
