import type { Counter, Registry } from 'prom-client'
import type { NormalizeEvent } from '../index'

declare namespace metrics {
  type Label = 'route' | 'original_status' | 'status' | 'rule' | 'provider' | 'source'
  export interface MetricsOptions {
    /** The registry to count in. @default prom-client's global `register` */
    register?: Registry
    /** @default 'openai_errors_normalized_total' */
    name?: string
    /** Put before `name`. @default '' */
    prefix?: string
  }
  export interface Metrics {
    counter: Counter<Label>
    /** Give it to the plugin's `onNormalize` option. */
    onNormalize: (event: NormalizeEvent) => void
  }
  /** A decision counter in the host's prom-client registry; an existing one of the same name is reused. */
  export function createMetrics (options?: MetricsOptions): Metrics
  export const DEFAULT_METRIC_NAME: 'openai_errors_normalized_total'
  export const LABELS: readonly Label[]
}
export = metrics
