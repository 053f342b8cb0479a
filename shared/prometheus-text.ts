import type { HistogramSnapshot } from './histogram.js';

/** The content type of the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels = Record<string, string>;

/**
 * Writes metrics in the Prometheus text format (version 0.0.4): one `# HELP` and `# TYPE` per
 * family, then its samples.
 */
export class PrometheusText {
  readonly #lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): this {
    this.#lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, value: number, labels: Labels = {}): this {
    this.#lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
    return this;
  }

  /** A whole histogram family: cumulative buckets, `+Inf`, `_sum` and `_count`. */
  histogram(name: string, help: string, snapshot: HistogramSnapshot): this {
    this.family(name, 'histogram', help);
    for (const { le, count } of snapshot.buckets) {
      this.sample(`${name}_bucket`, count, { le: formatValue(le) });
    }
    this.sample(`${name}_bucket`, snapshot.count, { le: '+Inf' });
    this.sample(`${name}_sum`, snapshot.sum);
    return this.sample(`${name}_count`, snapshot.count);
  }

  toString(): string {
    return `${this.#lines.join('\n')}\n`;
  }
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${escapeLabel(value)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
