import { DEFAULT_METRIC_NAME, LABELS, loadPromClient, metricsWith, type Metrics } from './decision-counter'

// The `fastify-openai-errors/metrics` entry: the plugin's decisions counted in the host's prom-client registry.

/**
 * A counter of decisions in `options.register` (prom-client's global registry by default) named
 * `options.prefix + options.name` (`openai_errors_normalized_total`), and the `onNormalize` to give the plugin.
 */
export function createMetrics (options?: unknown): Metrics {
  return metricsWith(loadPromClient(), options)
}

export { DEFAULT_METRIC_NAME, LABELS }
