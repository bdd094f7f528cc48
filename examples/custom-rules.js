'use strict'

// Your own mapping table. The gateway from basic-gateway.js, with rules for errors the default table does
// not know or maps differently than you want. User rules run first, before the status a body claims
// (`code: 429`) and before the default rules; the first rule whose matchers all match decides.
//
//   UPSTREAM_URL=http://localhost:4000 node examples/custom-rules.js
//   curl localhost:3000/explain -H 'content-type: application/json' -d '{"error":"model is warming up"}'

const { classify } = require('fastify-openai-errors')
const gateway = require('./basic-gateway')

const rules = [
  // type: exact string (or a RegExp), here an error type your own backend invents.
  { name: 'acme.budget', type: 'acme_budget_exceeded', status: 402, errorType: 'insufficient_quota', errorCode: 'budget_exceeded' },
  // code: exact; 503 and "503" compare equal, so numbers and strings both work.
  { name: 'acme.maintenance', code: 'MAINTENANCE', status: 503, errorType: 'service_unavailable_error' },
  // message: a RegExp sees the first maxMessageChars (1024) characters of the message. Keep it free of
  // nested quantifiers like (a+)+: it runs on text the upstream controls.
  { name: 'acme.model-warming-up', message: /\bmodel is (?:warming up|loading)\b/i, status: 503, errorType: 'service_unavailable_error' },
  // hint: the status the body claims, or Google's status name, here with a message string (a
  // case-insensitive substring). Gemini answers an unsupported location as 400 FAILED_PRECONDITION;
  // this gateway calls it a 403, like OpenAI's unsupported_country_region_territory.
  { name: 'gemini.unsupported-location', hint: 'FAILED_PRECONDITION', message: 'user location is not supported', status: 403, errorType: 'permission_error', errorCode: 'unsupported_country_region_territory' },
  // when: any predicate over the envelope (shape, message, type, code, param, statusName, hint).
  // Ollama answers a model too large for the machine as a plain-string error; the default table has no
  // rule for it, so it would get the fallback 500. This gateway calls it a 503 its balancer can route around.
  { name: 'ollama.out-of-memory', when: (envelope) => envelope.shape === 'string' && /\brequires more system memory\b/i.test(envelope.message), status: 503, errorType: 'service_unavailable_error', errorCode: 'insufficient_resources' }
]

// `defaultRules: false` keeps only your rules: then a body is decided by your rules, else by the status
// it claims, else it gets fallbackStatus (500); a bare {"message"} body is left alone. Start from
// `build({ openaiErrors: { defaultRules: false } })` when you want to own the whole table.
const classifyOptions = { rules }

/** The gateway with the rules above; `opts.openaiErrors` adds to or overrides the plugin options. */
async function build (opts = {}) {
  const pluginOptions = { rules, ...opts.openaiErrors }
  const app = await gateway.build({ ...opts, openaiErrors: pluginOptions })
  // classify() is the plugin's decision without Fastify: POST a body, see the status and the rule that
  // decided. The route's own answer must not be inspected, hence `openaiErrors: false`.
  const explainOptions = { rules: pluginOptions.rules, defaultRules: pluginOptions.defaultRules, fallbackStatus: pluginOptions.fallbackStatus }
  app.post('/explain', { config: { openaiErrors: false } }, async (request) => {
    return { decision: classify(request.body, explainOptions) }
  })
  return app
}

module.exports = { build, rules, classifyOptions }

if (require.main === module) {
  // What the table decides for a few bodies, then the gateway.
  const samples = [
    '{"error":{"message":"Budget for team acme exhausted","type":"acme_budget_exceeded"}}',
    '{"error":{"message":"Down for maintenance until 14:00 UTC","code":"MAINTENANCE"}}',
    '{"error":"llama3:70b: model is loading, retry in 30s"}',
    '{"error":"model requires more system memory (64.0 GiB) than is available (15.2 GiB)"}',
    '{"error":{"code":400,"message":"User location is not supported for the API use.","status":"FAILED_PRECONDITION"}}',
    '{"error":{"message":"No models available...","type":"invalid_request_error"}}'
  ]
  for (const body of samples) {
    const decision = classify(body, classifyOptions)
    console.log(`${decision.status} ${decision.rule.padEnd(28)} ${body}`)
  }
  build({ logger: true }).then((app) => app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' }))
    .then((address) => console.log(`gateway with custom rules listening on ${address}`), (err) => {
      console.error(err)
      process.exitCode = 1
    })
}
