'use strict'

// A safe rollout: run the plugin in report-only mode first. The gateway from basic-gateway.js, with
// `reportOnly: true`: every response leaves exactly as it would without the plugin (status, body, headers),
// and each decision the plugin would have made is logged, one line at `info` level:
//
//   {"level":30,...,"openaiErrors":{"source":"body","method":"POST","url":"/v1/chat/completions",
//    "route":"/v1/chat/completions","originalStatus":200,"status":404,"rule":"litellm.no-models-available",
//    "provider":"litellm","type":"invalid_request_error","code":"model_not_found","reportOnly":true},
//    "msg":"fastify-openai-errors: report only, response left as it was"}
//
//   UPSTREAM_URL=http://localhost:4000 node examples/report-only.js | grep 'report only'
//
// The recipe:
// 1. Deploy with REPORT_ONLY unset (report-only). Clients see no change.
// 2. Read the log lines: which routes answer errors with 200, which rule decides, and whether the status it
//    would set is the one you want. Add `rules` where it is not (examples/custom-rules.js), check a body with
//    `npx fastify-openai-errors explain '<body>'`.
// 3. Deploy with REPORT_ONLY=0: the same decisions now change the status. Keep `onNormalize` (or the metrics
//    of examples/prometheus-metrics.js) to watch them. A route can stay in report-only mode on its own with
//    `config: { openaiErrors: { reportOnly: true } }`, or go live early with `reportOnly: false`.
//
// Report-only mode also leaves thrown errors to Fastify's own error handler (a refused upstream connection is
// Fastify's 500 here, the plugin's 502 once live) and unknown URLs to Fastify's own 404. Streams are still
// read up to their first event or line, so responses take as long as they will once live.

const gateway = require('./basic-gateway')

/**
 * The gateway in report-only mode; takes basic-gateway's options.
 * @param {object} [opts]
 * @param {boolean} [opts.reportOnly] defaults to true unless REPORT_ONLY=0
 * @param {boolean|object} [opts.logger] defaults to `{ level: 'info' }`: the report lines are `info`, so a
 *   logger at `warn` or above (or none) shows nothing
 */
async function build (opts = {}) {
  const reportOnly = opts.reportOnly ?? process.env.REPORT_ONLY !== '0'
  return await gateway.build({
    ...opts,
    logger: opts.logger ?? { level: 'info' },
    openaiErrors: { ...opts.openaiErrors, reportOnly }
  })
}

module.exports = { build }

if (require.main === module) {
  build().then(async (app) => {
    const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
    app.log.info(`gateway listening on ${address}, ${process.env.REPORT_ONLY === '0' ? 'live' : 'report-only: nothing is changed, decisions are logged'}`)
  }, (err) => {
    console.error(err)
    process.exitCode = 1
  })
}
