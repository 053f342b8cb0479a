import { describe, expect, it } from 'vitest';
import { Histogram } from './histogram.js';
import { PrometheusText } from './prometheus-text.js';

describe('PrometheusText', () => {
  it('writes HELP, TYPE and samples with escaped label values', () => {
    const text = new PrometheusText()
      .family('wst_x', 'gauge', 'A help\nline.')
      .sample('wst_x', 3, { status: 'a"b\\c\nd' })
      .sample('wst_x', Infinity)
      .toString();

    expect(text).toBe(
      '# HELP wst_x A help\\nline.\n# TYPE wst_x gauge\nwst_x{status="a\\"b\\\\c\\nd"} 3\nwst_x +Inf\n',
    );
  });

  it('writes a histogram with cumulative buckets, +Inf, sum and count', () => {
    const histogram = new Histogram([0.01, 0.1]);
    for (const seconds of [0.005, 0.05, 0.05, 3]) histogram.observe(seconds);

    expect(new PrometheusText().histogram('wst_h', 'H.', histogram.snapshot()).toString()).toBe(
      [
        '# HELP wst_h H.',
        '# TYPE wst_h histogram',
        'wst_h_bucket{le="0.01"} 1',
        'wst_h_bucket{le="0.1"} 3',
        'wst_h_bucket{le="+Inf"} 4',
        'wst_h_sum 3.105',
        'wst_h_count 4',
        '',
      ].join('\n'),
    );
  });
});
