/**
 * Counters, gauges and histograms for the metrics updated on every model call. A label set is
 * resolved once into a cell, and an update only adds to the cell's numbers (prom-client hashes,
 * checks and copies the label set on every update, and a call makes ten); the registry renders
 * them through `get()` as it renders its own metrics. Label values must be bounded.
 */
import type { Registry } from 'prom-client';

type Labels = Record<string, string | number>;
interface Sample {
  labels: Labels;
  value: number;
  metricName?: string;
}
interface MetricValues {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  aggregator: 'sum';
  values: Sample[];
}

interface MetricOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  registers: Registry[];
}

/** Label sets by their values, each made once. */
abstract class Cells<Cell> {
  readonly name: string;
  readonly help: string;
  protected readonly cells = new Map<string, { labels: Labels; cell: Cell }>();
  private readonly labelNames: readonly string[];

  constructor(options: MetricOptions<string>) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
    for (const r of options.registers) r.registerMetric(this as never);
  }

  protected abstract newCell(): Cell;

  /** The cell of these label values, in `labelNames` order. */
  labels(...values: string[]): Cell {
    const key = values.length === 1 ? values[0]! : values.join('\u0000');
    let entry = this.cells.get(key);
    if (!entry) {
      if (values.length !== this.labelNames.length) throw new Error(`${this.name}: expected ${this.labelNames.length} label values, got ${values.length}`);
      const labels: Labels = {};
      this.labelNames.forEach((n, i) => (labels[n] = values[i]!));
      entry = { labels, cell: this.newCell() };
      this.cells.set(key, entry);
    }
    return entry.cell;
  }

  reset(): void {
    this.cells.clear();
  }
}

export class CellCounter<L extends string = string> extends Cells<{ value: number; inc(by?: number): void }> {
  readonly type = 'counter';

  constructor(options: MetricOptions<L>) {
    super(options);
  }

  protected newCell() {
    return {
      value: 0,
      inc(by = 1) {
        if (!(by >= 0) || !Number.isFinite(by)) throw new Error(`a counter only grows (got ${by})`);
        this.value += by;
      },
    };
  }

  async get(): Promise<MetricValues> {
    return { name: this.name, help: this.help, type: this.type, aggregator: 'sum', values: [...this.cells.values()].map(({ labels, cell }) => ({ labels, value: cell.value })) };
  }
}

/** A gauge without labels. */
export class CellGauge {
  readonly type = 'gauge';
  readonly name: string;
  readonly help: string;
  value = 0;

  constructor(options: Omit<MetricOptions<never>, 'labelNames'>) {
    this.name = options.name;
    this.help = options.help;
    for (const r of options.registers) r.registerMetric(this as never);
  }

  inc(): void {
    this.value += 1;
  }

  dec(): void {
    this.value -= 1;
  }

  reset(): void {
    this.value = 0;
  }

  async get(): Promise<MetricValues> {
    return { name: this.name, help: this.help, type: this.type, aggregator: 'sum', values: [{ labels: {}, value: this.value }] };
  }
}

interface HistogramCell {
  /** Observations per bucket (not cumulative); the last one is `+Inf`. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
  observe(value: number): void;
}

export class CellHistogram<L extends string = string> extends Cells<HistogramCell> {
  readonly type = 'histogram';
  private readonly bounds: readonly number[];

  constructor(options: MetricOptions<L> & { buckets: readonly number[] }) {
    super(options);
    this.bounds = [...options.buckets].sort((a, b) => a - b);
  }

  protected newCell(): HistogramCell {
    const bounds = this.bounds;
    return {
      counts: new Float64Array(bounds.length + 1),
      sum: 0,
      count: 0,
      observe(value) {
        if (!Number.isFinite(value)) throw new Error(`not a number to observe: ${value}`);
        let i = 0;
        while (i < bounds.length && value > bounds[i]!) i++;
        this.counts[i]! += 1;
        this.sum += value;
        this.count += 1;
      },
    };
  }

  async get(): Promise<MetricValues> {
    const values: Sample[] = [];
    for (const { labels, cell } of this.cells.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += cell.counts[i]!;
        values.push({ labels: { le, ...labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...labels }, value: cell.count, metricName: `${this.name}_bucket` });
      values.push({ labels, value: cell.sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: cell.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: 'sum', values };
  }
}
