/**
 * Wires the hub's observability: metrics, traces and the retention job. `observers` goes to the
 * gateway (its calls take their marks by it) and `callSettled` listens to the gateway's settled calls.
 */
import type { Config } from '../../config.js';
import type { Logger } from '../../lib/logger.js';
import type { Models } from '../../store/models/index.js';
import { createHubMetrics, type HubMetrics } from '../metrics/hub-metrics.js';
import { retentionEnabled, startRetentionJob, type RetentionJob } from '../retention/retention.js';
import type { CallRecord } from '../gateway/call-record.js';
import type { CallObservers, CallTiming } from './call-timing.js';
import { createTracing, silenceOtherObservers, type Tracing } from './tracing.js';

export interface Observability {
  metrics: HubMetrics;
  tracing?: Tracing;
  retention?: RetentionJob;
  observers: CallObservers;
  /** Takes in a settled call (the gateway's `onCallSettled` listener). */
  callSettled(record: CallRecord, timing: CallTiming | undefined): void;
  close(): Promise<void>;
}

export interface ObservabilityOptions {
  config: Config;
  logger: Logger;
  models: Models;
  componentDid: string;
}

export async function setupObservability(options: ObservabilityOptions): Promise<Observability> {
  const { config, logger, models } = options;
  silenceOtherObservers();
  const hubMetrics = createHubMetrics({ models });
  const hubTracing = config.tracing.enabled ? await createTracing({ config, logger, componentDid: options.componentDid }) : undefined;

  // Metrics and spans of settled calls are made in batches, every 20 ms (or every 256 calls): that
  // work then seldom sits between a client's answer and its next request. Reading the metrics or
  // flushing the spans takes in what is waiting first.
  const settled: { record: CallRecord; timing: CallTiming | undefined }[] = [];
  let timer: NodeJS.Timeout | null = null;
  const drain = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    for (const { record, timing } of settled.splice(0)) {
      hubMetrics.callSettled(record, timing);
      if (timing && hubTracing) hubTracing.record(timing);
    }
  };
  const callSettled = (record: CallRecord, timing: CallTiming | undefined) => {
    if (timing) timing.settledAt = performance.now();
    settled.push({ record, timing });
    if (settled.length === 256) setImmediate(drain);
    else if (!timer) timer = setTimeout(drain, 20).unref();
  };
  const metrics: HubMetrics = { ...hubMetrics, render: () => (drain(), hubMetrics.render()) };
  const tracing: Tracing | undefined = hubTracing && { ...hubTracing, flush: () => (drain(), hubTracing.flush()) };

  const retention = retentionEnabled(config.retention)
    ? startRetentionJob({
        models,
        logger,
        dataDir: config.dataDir,
        modelCallDays: config.retention.modelCallDays,
        usageDays: config.retention.usageDays,
        archive: config.retention.archive,
        alsoPrune: tracing?.localStore ? [{ name: 'spans', prune: (before, signal) => tracing.prune(before, signal) }] : [],
      })
    : undefined;

  return {
    metrics,
    tracing,
    retention,
    callSettled,
    observers: {
      traceIds: Boolean(tracing),
      traceSampleRatio: config.tracing.sampleRatio,
      serverTiming: config.enableServerTiming,
      captureInput: Boolean(tracing) && config.tracing.includeContent,
      onStart: (timing) => metrics.callStarted(timing),
    },
    async close() {
      drain();
      await retention?.stop();
      await tracing?.close();
    },
  };
}
