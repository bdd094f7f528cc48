'use strict'

// A gateway in front of an OpenAI-compatible upstream (LiteLLM, vLLM, Ollama, OpenAI itself...).
// The routes forward the request with fetch and send back the upstream's status, content type and body,
// the way a simple gateway does. fastify-openai-errors does the rest: an error body answered with 200
// leaves with the status it means, a failed fetch becomes a 502/504 OpenAI error, unknown URLs get 404.
//
//   UPSTREAM_URL=http://localhost:4000 node examples/basic-gateway.js
//   curl -i localhost:3000/v1/chat/completions -H 'content-type: application/json' \
//     -d '{"model":"totally-nonexistent-model-xyz","messages":[{"role":"user","content":"hi"}]}'
//
// UPSTREAM_URL is a base URL as the openai SDK takes it: /chat/completions is appended to it.

const Fastify = require('fastify')
const openaiErrors = require('fastify-openai-errors')

const DEFAULT_UPSTREAM_URL = 'http://127.0.0.1:4000'

const RETRY_HEADERS = ['retry-after', 'retry-after-ms']

const ROUTES = [
  { method: 'POST', url: '/v1/chat/completions', path: '/chat/completions' },
  { method: 'POST', url: '/v1/completions', path: '/completions' },
  { method: 'POST', url: '/v1/embeddings', path: '/embeddings' },
  { method: 'GET', url: '/v1/models', path: '/models' }
]

/**
 * @param {object} [opts]
 * @param {string} [opts.upstreamUrl] defaults to UPSTREAM_URL, then http://127.0.0.1:4000
 * @param {typeof fetch} [opts.fetch] the fetch to call the upstream with (tests pass a fake one)
 * @param {number} [opts.timeoutMs] how long to wait for the upstream's headers; a timeout answers 504
 * @param {boolean} [opts.stream] send the upstream's body on as a stream instead of buffering it (STREAM=1)
 * @param {object} [opts.openaiErrors] options for the plugin
 * @param {boolean|object} [opts.logger]
 */
async function build (opts = {}) {
  const upstreamUrl = (opts.upstreamUrl ?? process.env.UPSTREAM_URL ?? DEFAULT_UPSTREAM_URL).replace(/\/+$/, '')
  const fetchUpstream = opts.fetch ?? globalThis.fetch
  const timeoutMs = opts.timeoutMs ?? 60_000
  const stream = opts.stream ?? process.env.STREAM === '1'

  const app = Fastify({ logger: opts.logger ?? false })
  // Awaited so the plugin's onRoute hook sees the routes below (it reads per-route `config.openaiErrors`).
  await app.register(openaiErrors, opts.openaiErrors ?? {})

  for (const route of ROUTES) {
    app.route({
      method: route.method,
      url: route.url,
      async handler (request, reply) {
        const headers = {}
        if (request.headers.authorization) headers.authorization = request.headers.authorization
        // The deadline is for the upstream's headers only: a streamed completion may take longer.
        const deadline = new AbortController()
        const timer = setTimeout(() => deadline.abort(new DOMException('The upstream did not answer in time', 'TimeoutError')), timeoutMs)
        const init = { method: route.method, headers, signal: deadline.signal }
        if (route.method === 'POST') {
          headers['content-type'] = 'application/json'
          init.body = JSON.stringify(request.body)
        }
        let upstream
        try {
          // A refused connection or the deadline throws here; the plugin's error handler answers 502 or 504.
          upstream = await fetchUpstream(upstreamUrl + route.path, init)
        } finally {
          clearTimeout(timer)
        }
        reply.code(upstream.status)
        const contentType = upstream.headers.get('content-type')
        if (contentType) reply.header('content-type', contentType)
        // The upstream's stated wait: when the plugin remaps an error to 429/503/529 it sends this wait on
        // (as retry-after and retry-after-ms) rather than the one the message states.
        for (const name of RETRY_HEADERS) {
          const value = upstream.headers.get(name)
          if (value !== null) reply.header(name, value)
        }
        // Either way the plugin sees the body: a Buffer is inspected at once; a stream (fetch's web stream,
        // what `stream: true` sends on, e.g. for `"stream": true` SSE completions) is peeked into.
        if (stream && upstream.body !== null) return reply.send(upstream.body)
        return reply.send(Buffer.from(await upstream.arrayBuffer()))
      }
    })
  }
  return app
}

module.exports = { build }

if (require.main === module) {
  build({ logger: true }).then(async (app) => {
    const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
    console.log(`gateway listening on ${address}, forwarding to ${process.env.UPSTREAM_URL ?? DEFAULT_UPSTREAM_URL}`)
  }, (err) => {
    console.error(err)
    process.exitCode = 1
  })
}
