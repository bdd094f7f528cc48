'use strict'

// A proxy gateway: @fastify/reply-from forwards every /v1/* request to an OpenAI-compatible upstream
// (LiteLLM, vLLM, sglang, Ollama, OpenAI itself...) and streams its answer back as it arrives.
// fastify-openai-errors reads that answer on the way out and gives an error the status it means.
//
//   UPSTREAM_URL=http://localhost:4000 node examples/proxy-gateway.js
//   curl -i localhost:3000/v1/chat/completions -H 'content-type: application/json' \
//     -d '{"model":"totally-nonexistent-model-xyz","stream":true,"messages":[{"role":"user","content":"hi"}]}'
//
// UPSTREAM_URL is a base URL as the openai SDK takes it: /v1/chat/completions here is
// UPSTREAM_URL/chat/completions there.
//
// reply-from hands the plugin's onSend hook the upstream's body as a stream, which the plugin reads
// only as far as it needs to:
// - JSON: read whole, up to maxBodyBytes (64 KiB) and jsonPeekTimeoutMs (5 s), then judged like any
//   body: an error envelope answered with 200 leaves with its own status and the same bytes. A body too
//   long or too slow goes on unread.
// - text/event-stream (`"stream": true`): read up to the first event that carries data, skipping
//   comments (`: OPENROUTER PROCESSING`) and pings, within sse.peekBytes (16 KiB) and sse.peekTimeoutMs
//   (5 s). If that event is an error, the client gets its status and a JSON body instead of the stream,
//   which SDKs raise as their typed errors (RateLimitError, BadRequestError...). Otherwise every byte
//   goes on, those already read first. After the first data event the status is sent: a later error
//   event is only logged, once, at warn level.
// - NDJSON (application/x-ndjson, Ollama's native /api/chat): read up to its first line, within the same
//   sse bounds. If that line is an error, the client gets its status and the line as JSON; otherwise
//   every byte goes on.
// - gzip, deflate and br bodies are judged on a bounded decoded copy and sent as they came.
// - An upstream that fails before anything was sent reaches the error handler: 502/504 as OpenAI JSON.

const Fastify = require('fastify')
const replyFrom = require('@fastify/reply-from')
const openaiErrors = require('fastify-openai-errors')

const DEFAULT_UPSTREAM_URL = 'http://127.0.0.1:4000'
const PREFIX = '/v1/'

/**
 * @param {object} [opts]
 * @param {string} [opts.upstreamUrl] defaults to UPSTREAM_URL, then http://127.0.0.1:4000
 * @param {number} [opts.timeoutMs] how long to wait for the upstream's headers; a timeout answers 504.
 *   A streamed completion may take longer than that to finish.
 * @param {object} [opts.openaiErrors] options for the plugin
 * @param {boolean|object} [opts.logger]
 */
async function build (opts = {}) {
  const upstreamUrl = (opts.upstreamUrl ?? process.env.UPSTREAM_URL ?? DEFAULT_UPSTREAM_URL).replace(/\/+$/, '') + '/'
  const app = Fastify({ logger: opts.logger ?? false })

  // The plugin first, and awaited: its onRoute hook then sees the route below, so a per-route
  // `config.openaiErrors` is checked when the route is added and a bad one fails startup. (Routes added
  // before the plugin loaded still have theirs honoured, looked up late, but a bad one is only logged.)
  // It also installs the error handler that answers reply-from's failures and the not-found handler.
  await app.register(openaiErrors, opts.openaiErrors ?? {})

  await app.register(replyFrom, {
    base: upstreamUrl,
    undici: {
      headersTimeout: opts.timeoutMs ?? 60_000,
      // reply-from does not check the upstream's TLS certificate unless told to; this gateway sends API keys.
      tls: { rejectUnauthorized: true }
    }
  })

  // Request bodies go upstream as they came (JSON, multipart uploads...): not parsed, not re-serialized.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload))

  app.route({
    method: ['GET', 'POST', 'DELETE'],
    url: `${PREFIX}*`,
    handler (request, reply) {
      // Relative to the base, still percent-encoded, query included.
      reply.from('./' + request.url.slice(PREFIX.length), {
        // reply-from wraps what went wrong in an error of its own, the failure in its `cause`. The
        // plugin reads a 500's cause itself (a refused or reset connection answers 502 without this), but
        // reply-from answers a headers timeout with a 504 of no code and an unknown host with a 503:
        // handing over the cause makes them 504 upstream_timeout and 502 upstream_unavailable.
        onError (reply, { error }) {
          reply.send(error.cause ?? error)
        }
      })
    }
  })
  return app
}

module.exports = { build }

if (require.main === module) {
  build({ logger: true }).then(async (app) => {
    const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
    console.log(`proxy gateway listening on ${address}, forwarding /v1/* to ${process.env.UPSTREAM_URL ?? DEFAULT_UPSTREAM_URL}`)
  }, (err) => {
    console.error(err)
    process.exitCode = 1
  })
}
