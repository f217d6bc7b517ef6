import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CellCounter, CellGauge, CellHistogram } from './cells.js';

/** The same updates through prom-client's own metrics and through cells render the same text. */
describe('metric cells', () => {
  const buckets = [0.005, 0.01, 0.1, 1, 10];

  it('render counters as prom-client does', async () => {
    const own = new Registry();
    const theirs = new Registry();
    const cell = new CellCounter({ name: 'calls_total', help: 'Calls', labelNames: ['provider', 'status'], registers: [own] });
    const ref = new Counter({ name: 'calls_total', help: 'Calls', labelNames: ['provider', 'status'], registers: [theirs] });
    for (const [provider, status, by] of [['openai', 'success', 1], ['openai', 'success', 2.5], ['anthropic', 'failed', 1], ['openai', 'failed', 0]] as const) {
      cell.labels(provider, status).inc(by);
      ref.labels(provider, status).inc(by);
    }
    expect(await own.metrics()).toBe(await theirs.metrics());
    expect(await own.metrics()).toContain('calls_total{provider="openai",status="success"} 3.5');
    expect(() => cell.labels('openai', 'success').inc(-1)).toThrow();
    expect(() => cell.labels('openai')).toThrow(/label values/);
  });

  it('render histograms as prom-client does, bucket edges included', async () => {
    const own = new Registry();
    const theirs = new Registry();
    const cell = new CellHistogram({ name: 'latency_seconds', help: 'Latency', labelNames: ['provider'], buckets, registers: [own] });
    const ref = new Histogram({ name: 'latency_seconds', help: 'Latency', labelNames: ['provider'], buckets, registers: [theirs] });
    const observations: [string, number][] = [['openai', 0.004], ['openai', 0.005], ['openai', 0.0051], ['openai', 0.7], ['openai', 42], ['deepseek', 1], ['deepseek', 0]];
    for (const [provider, v] of observations) {
      cell.labels(provider).observe(v);
      ref.labels(provider).observe(v);
    }
    const text = await own.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('latency_seconds_bucket{le="0.005",provider="openai"} 2');
    expect(text).toContain('latency_seconds_bucket{le="+Inf",provider="openai"} 5');
    expect(text).toContain('latency_seconds_count{provider="deepseek"} 2');
  });

  it('render a gauge without labels as prom-client does, and reset like it', async () => {
    const own = new Registry();
    const theirs = new Registry();
    const cell = new CellGauge({ name: 'open_streams', help: 'Open streams', registers: [own] });
    const ref = new Gauge({ name: 'open_streams', help: 'Open streams', registers: [theirs] });
    for (const step of [1, 1, -1, 1]) {
      if (step > 0) (cell.inc(), ref.inc());
      else (cell.dec(), ref.dec());
    }
    expect(await own.metrics()).toBe(await theirs.metrics());
    expect(await own.metrics()).toContain('open_streams 2');
    own.resetMetrics();
    theirs.resetMetrics();
    expect(await own.metrics()).toBe(await theirs.metrics());
  });
});
