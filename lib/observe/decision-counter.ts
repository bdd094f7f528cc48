import type * as PromClient from 'prom-client'
import { InvalidOptionError, MissingPeerError } from '../settings/errors'
import type { NormalizeEvent } from '../settings/options'
import { requirePeer } from './peer'

// Decisions counted in the host's prom-client registry, one series per route, statuses, rule, provider and source.

/** The counter's name when neither `name` nor `prefix` says otherwise. */
export const DEFAULT_METRIC_NAME = 'openai_errors_normalized_total'

/** Its labels, in this order. Each is bounded: a route pattern, never a URL. */
export const LABELS = ['route', 'original_status', 'status', 'rule', 'provider', 'source'] as const
type Label = typeof LABELS[number]

const HELP = 'Decisions made by fastify-openai-errors (in report-only mode, the ones it would have made).'
// Prometheus' metric name grammar.
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/

export interface Metrics {
  counter: PromClient.Counter<Label>
  onNormalize: (event: NormalizeEvent) => void
}

/** prom-client as the host installed it; an error naming the package when it did not. */
export function loadPromClient (from: NodeJS.Require = require): typeof PromClient {
  const client = requirePeer<typeof PromClient>('prom-client', from)
  if (client === null) throw new MissingPeerError('fastify-openai-errors/metrics', 'prom-client', 'prom-client')
  return client
}

/** An event's label values; a missing one (an unknown URL's route, a thrown error's original status) is "none". */
export function labelsOf (event: NormalizeEvent): Record<Label, string> {
  return {
    route: event.route ?? 'none',
    original_status: event.originalStatus === null ? 'none' : String(event.originalStatus),
    status: String(event.status),
    rule: event.rule,
    provider: event.provider ?? 'none',
    source: event.source
  }
}

const isRegistry = (value: unknown): value is PromClient.Registry =>
  typeof value === 'object' && value !== null &&
  typeof (value as PromClient.Registry).getSingleMetric === 'function' &&
  typeof (value as PromClient.Registry).registerMetric === 'function'

function optionsOf (client: typeof PromClient, options: unknown): { register: PromClient.Registry, name: string } {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('options', 'must be an object')
  const { register = client.register, name = DEFAULT_METRIC_NAME, prefix = '' } = options as Record<string, unknown>
  if (!isRegistry(register)) throw new InvalidOptionError('register', 'must be a prom-client Registry')
  if (typeof prefix !== 'string') throw new InvalidOptionError('prefix', 'must be a string')
  if (typeof name !== 'string') throw new InvalidOptionError('name', 'must be a string')
  const full = prefix + name
  if (!METRIC_NAME.test(full)) throw new InvalidOptionError(prefix === '' ? 'name' : 'prefix', `makes "${full}", not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)`)
  return { register, name: full }
}

// Another app in the process (or the same app built again) registered the counter already: count into it.
function reuse (client: typeof PromClient, existing: PromClient.Metric, name: string): PromClient.Counter<Label> {
  const labels = (existing as unknown as { labelNames: readonly string[] }).labelNames
  if (existing instanceof client.Counter && labels.join() === LABELS.join()) return existing as PromClient.Counter<Label>
  throw new InvalidOptionError('name', `"${name}" is already registered as another metric than this counter (labels ${LABELS.join(', ')}): choose another name or prefix`)
}

/** The counter in the registry (created, or reused when it is there already) and the `onNormalize` that feeds it. */
export function metricsWith (client: typeof PromClient, options: unknown = {}): Metrics {
  const { register, name } = optionsOf(client, options)
  const existing = register.getSingleMetric(name)
  const counter = existing === undefined
    ? new client.Counter({ name, help: HELP, labelNames: LABELS, registers: [register] })
    : reuse(client, existing, name)
  return { counter, onNormalize: (event) => { counter.inc(labelsOf(event)) } }
}
