'use strict'

// Counting the plugin's decisions for Prometheus. The gateway from basic-gateway.js, with an `onNormalize`
// callback that counts every decision the plugin makes (a remapped body or stream, a thrown error, an unknown
// URL) and GET /metrics serving the counts in Prometheus' text format, written by hand: no client library.
//
//   UPSTREAM_URL=http://localhost:4000 node examples/prometheus-metrics.js
//   curl localhost:3000/metrics
//
//   # HELP openai_errors_normalized_total Decisions made by fastify-openai-errors (in report-only mode, the ones it would have made).
//   # TYPE openai_errors_normalized_total counter
//   openai_errors_normalized_total{route="/v1/chat/completions",original_status="200",status="404",rule="litellm.no-models-available",provider="litellm",source="body"} 1
//
// Labels (from the NormalizeEvent onNormalize receives):
//   route            the route pattern, never the URL (an unknown URL is "none"): bounded, so is the series count
//   original_status  the status before the plugin ("none" for thrown errors and unknown URLs)
//   status           the status it answered with (in report-only mode, would have)
//   rule             the rule that decided, "status-hint", "fallback", "thrown" or "not-found"
//   provider         the deciding rule's prefix ("litellm", "openai"...), "upstream" for SDK errors, else the
//                    body's shape ("openai", "flat"...); "none" when there is none
//   source           "body", "stream", "error-handler" or "not-found"
// A rule name is yours to choose and may hold any character: label values are escaped as the text format
// asks (backslash, double quote and line feed).

const gateway = require('./basic-gateway')

const METRIC = 'openai_errors_normalized_total'
const HELP = 'Decisions made by fastify-openai-errors (in report-only mode, the ones it would have made).'
const LABELS = ['route', 'original_status', 'status', 'rule', 'provider', 'source']
/** The content type of Prometheus' text exposition format. */
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/** A label value in the text format: `\` as `\\`, `"` as `\"`, a line feed as `\n`. */
function escapeLabelValue (value) {
  return String(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

const orNone = (value) => (value === null || value === undefined ? 'none' : value)

/** A counter of NormalizeEvents: `observe(event)` counts one, `render()` is the text for GET /metrics. */
function createNormalizeMetrics () {
  // One series per distinct set of label values, keyed by the rendered label set.
  const series = new Map()
  return {
    observe (event) {
      const values = {
        route: orNone(event.route),
        original_status: orNone(event.originalStatus),
        status: event.status,
        rule: event.rule,
        provider: orNone(event.provider),
        source: event.source
      }
      const key = LABELS.map((label) => `${label}="${escapeLabelValue(values[label])}"`).join(',')
      series.set(key, (series.get(key) ?? 0) + 1)
    },
    render () {
      const lines = [`# HELP ${METRIC} ${HELP}`, `# TYPE ${METRIC} counter`]
      for (const key of [...series.keys()].sort()) lines.push(`${METRIC}{${key}} ${series.get(key)}`)
      return lines.join('\n') + '\n'
    }
  }
}

/**
 * The gateway with the counter; takes basic-gateway's options. An `opts.openaiErrors.onNormalize` of
 * yours is still called, after the count.
 */
async function build (opts = {}) {
  const metrics = createNormalizeMetrics()
  const pluginOptions = opts.openaiErrors ?? {}
  const yours = pluginOptions.onNormalize
  const app = await gateway.build({
    ...opts,
    openaiErrors: {
      ...pluginOptions,
      // Called once per decision, synchronously, before the response goes out: keep it cheap. One that
      // throws is logged by the plugin and the response goes out all the same.
      onNormalize (event) {
        metrics.observe(event)
        if (yours !== undefined) yours(event)
      }
    }
  })
  // Not an API route: the plugin stays out of it, and its errors go to Fastify's own handler.
  app.get('/metrics', { config: { openaiErrors: false } }, async (_request, reply) => {
    return reply.type(CONTENT_TYPE).send(metrics.render())
  })
  return app
}

module.exports = { build, createNormalizeMetrics, escapeLabelValue, CONTENT_TYPE }

if (require.main === module) {
  build({ logger: true }).then(async (app) => {
    const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
    console.log(`gateway listening on ${address}; counts at ${address}/metrics`)
  }, (err) => {
    console.error(err)
    process.exitCode = 1
  })
}
