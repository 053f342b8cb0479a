import { writeFile } from 'node:fs/promises';

/** One figure of the report, with the baseline measured beside it in the same run. */
export interface Row {
  scenario: string;
  figure: string;
  value: number;
  unit: string;
  baseline?: { label: string; value: number };
  /** value / baseline */
  ratio?: number;
  target?: string;
  /** Unset when the figure has no target. */
  met?: boolean;
  note?: string;
}

export function row(fields: Omit<Row, 'ratio'>): Row {
  const ratio = fields.baseline ? fields.value / fields.baseline.value : undefined;
  return { ...fields, ...(ratio !== undefined && Number.isFinite(ratio) && { ratio }) };
}

function number(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function formatTable(rows: Row[]): string {
  const header = ['scenario', 'figure', 'value', 'baseline (same run)', 'ratio', 'target', 'result'];
  const cells = rows.map((r) => [
    r.scenario,
    r.figure,
    `${number(r.value)} ${r.unit}`,
    r.baseline ? `${r.baseline.label}: ${number(r.baseline.value)} ${r.unit}` : '—',
    r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`,
    r.target ?? '—',
    r.met === undefined ? '' : r.met ? 'met' : 'MISSED',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const notes = rows.filter((r) => r.note).map((r) => `  * ${r.scenario} / ${r.figure}: ${r.note}`);
  return [line(header), rule, ...cells.map(line), ...(notes.length ? ['', 'notes:', ...notes] : [])].join(
    '\n',
  );
}

export async function writeResults(file: string, results: object): Promise<void> {
  await writeFile(file, JSON.stringify(results, null, 2) + '\n');
}
