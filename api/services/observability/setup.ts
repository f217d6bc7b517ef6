/**
 * Wires the hub's observability: metrics, traces and the retention job, fed from the gateway's
 * settled calls. `observers` goes to the app (ModelCall reads it to mark its calls).
 */
import type { Config } from '../../config.js';
import type { Logger } from '../../lib/logger.js';
import type { Models } from '../../store/models/index.js';
import type { Gateway } from '../gateway/gateway.js';
import { createHubMetrics, type HubMetrics } from '../metrics/hub-metrics.js';
import { retentionEnabled, startRetentionJob, type RetentionJob } from '../retention/retention.js';
import { timingOf, type CallObservers } from './call-timing.js';
import { createTracing, silenceOtherObservers, type Tracing } from './tracing.js';

export interface Observability {
  metrics: HubMetrics;
  tracing?: Tracing;
  retention?: RetentionJob;
  observers: CallObservers;
  close(): Promise<void>;
}

export interface ObservabilityOptions {
  config: Config;
  logger: Logger;
  models: Models;
  gateway: Gateway;
  componentDid: string;
}

export async function setupObservability(options: ObservabilityOptions): Promise<Observability> {
  const { config, logger, models, gateway } = options;
  silenceOtherObservers();
  const metrics = createHubMetrics({ models });
  const tracing = config.tracing.enabled ? await createTracing({ config, logger, componentDid: options.componentDid }) : undefined;

  // Metrics and spans of a call are made once its answer is on its way, not before.
  gateway.onCallSettled((record) => {
    const timing = timingOf(record);
    if (timing) timing.settledAt = performance.now();
    setImmediate(() => {
      metrics.callSettled(record, timing);
      if (timing && tracing) tracing.record(timing);
    });
  });

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
    observers: {
      traceIds: Boolean(tracing),
      serverTiming: config.enableServerTiming,
      captureInput: Boolean(tracing) && config.tracing.includeContent,
      onStart: (timing) => metrics.callStarted(timing),
    },
    async close() {
      await retention?.stop();
      await tracing?.close();
    },
  };
}
