'use strict'

// Counting the plugin's decisions for Prometheus, with prom-client. The gateway from basic-gateway.js, with the
// counter from `fastify-openai-errors/metrics` fed by the plugin's `onNormalize`, and GET /metrics serving the
// registry (prom-client's own text, escaping included).
//
//   npm install prom-client
//   UPSTREAM_URL=http://localhost:4000 PORT=3000 node examples/prometheus-metrics.js
//   curl localhost:3000/metrics
//
//   # HELP openai_errors_normalized_total Decisions made by fastify-openai-errors (in report-only mode, the ones it would have made).
//   # TYPE openai_errors_normalized_total counter
//   openai_errors_normalized_total{route="/v1/chat/completions",original_status="200",status="404",rule="litellm.no-models-available",provider="litellm",source="body"} 1
//
// Labels (see docs/observability.md): route (the pattern, "none" for an unknown URL), original_status ("none" for
// thrown errors and unknown URLs), status, rule, provider ("none" when there is none) and source.

const { Registry, collectDefaultMetrics } = require('prom-client')
const { createMetrics } = require('fastify-openai-errors/metrics')
const gateway = require('./basic-gateway')

/**
 * The gateway with the counter; takes basic-gateway's options, and `opts.register`, the prom-client registry to
 * count in (a new one, with the process' default metrics, when not given). An `opts.openaiErrors.onNormalize` of
 * yours is still called, after the count.
 */
async function build (opts = {}) {
  const register = opts.register ?? defaultRegistry()
  const metrics = createMetrics({ register })
  const pluginOptions = opts.openaiErrors ?? {}
  const yours = pluginOptions.onNormalize
  const app = await gateway.build({
    ...opts,
    openaiErrors: {
      ...pluginOptions,
      // Called once per decision, synchronously, before the response goes out; never for a success.
      onNormalize (event) {
        metrics.onNormalize(event)
        if (yours !== undefined) yours(event)
      }
    }
  })
  // Not an API route: the plugin stays out of it, and its errors go to Fastify's own handler.
  app.get('/metrics', { config: { openaiErrors: false } }, async (_request, reply) => {
    return reply.type(register.contentType).send(await register.metrics())
  })
  return app
}

function defaultRegistry () {
  const register = new Registry()
  collectDefaultMetrics({ register })
  return register
}

module.exports = { build }

if (require.main === module) {
  build({ logger: true }).then(async (app) => {
    const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
    console.log(`gateway listening on ${address}; counts at ${address}/metrics`)
  }, (err) => {
    console.error(err)
    process.exitCode = 1
  })
}
