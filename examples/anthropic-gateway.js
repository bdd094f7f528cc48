'use strict'

// A gateway for Anthropic's Messages API: @fastify/reply-from forwards /v1/messages (and count_tokens) to an
// upstream that speaks it (LiteLLM's /v1/messages, a Claude-compatible server, a relay), and the plugin
// answers in Anthropic's dialect there: {"type":"error","error":{"type","message"}}, with Anthropic's type
// names (rate_limit_error, overloaded_error, not_found_error...), which @anthropic-ai/sdk raises as its typed
// errors (RateLimitError, OverloadedError, NotFoundError...).
//
//   UPSTREAM_URL=http://localhost:4000 node examples/anthropic-gateway.js
//   curl -i localhost:3000/v1/messages -H 'content-type: application/json' -H 'x-api-key: sk-ant-...' \
//     -H 'anthropic-version: 2023-06-01' \
//     -d '{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}'
//
// - `dialect: 'auto'` (the default) picks Anthropic's shape for any path with /v1/messages in it; other
//   paths get OpenAI's. A path that does not say so, like /claude/messages below, sets `dialect: 'anthropic'`
//   in its route config.
// - The dialect shapes the bodies the plugin builds: the error handler's (a refused upstream is a 502
//   api_error), the not-found handler's, and, with `rewriteBody: true` as here, the body of every remapped
//   error. So an upstream that answers the Messages API with an OpenAI-shaped error, or with 200, still gives
//   the client Anthropic's shape and the right status. Without `rewriteBody`, a remapped body goes out as the
//   upstream wrote it, only its status changed; an Anthropic upstream's errors already have the right shape.
// - Responses that are not errors, and upstream errors whose status is already right, pass untouched.

const Fastify = require('fastify')
const replyFrom = require('@fastify/reply-from')
const openaiErrors = require('fastify-openai-errors')

const DEFAULT_UPSTREAM_URL = 'http://127.0.0.1:4000'

/**
 * @param {object} [opts]
 * @param {string} [opts.upstreamUrl] the upstream's origin (its Messages API at /v1/messages); defaults to
 *   UPSTREAM_URL, then http://127.0.0.1:4000
 * @param {number} [opts.timeoutMs] how long to wait for the upstream's headers; a timeout answers 504
 * @param {object} [opts.openaiErrors] options for the plugin
 * @param {boolean|object} [opts.logger]
 */
async function build (opts = {}) {
  const upstreamUrl = (opts.upstreamUrl ?? process.env.UPSTREAM_URL ?? DEFAULT_UPSTREAM_URL).replace(/\/+$/, '')
  const app = Fastify({ logger: opts.logger ?? false })

  await app.register(openaiErrors, { rewriteBody: true, ...opts.openaiErrors })
  await app.register(replyFrom, {
    base: upstreamUrl,
    undici: { headersTimeout: opts.timeoutMs ?? 60_000, tls: { rejectUnauthorized: true } }
  })

  // Request bodies go upstream as they came, not parsed and serialized again.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload))

  const forward = (path) => function handler (request, reply) {
    const query = request.url.indexOf('?')
    reply.from(path + (query === -1 ? '' : request.url.slice(query)), {
      // reply-from's own errors carry what happened in `cause`: a timeout is then 504 upstream_timeout and
      // an unknown host 502 (a refused or reset connection is 502 either way).
      onError (reply, { error }) {
        reply.send(error.cause ?? error)
      }
    })
  }

  // dialect 'auto': these paths contain /v1/messages, so their errors are Anthropic-shaped.
  app.post('/v1/messages', forward('/v1/messages'))
  app.post('/v1/messages/count_tokens', forward('/v1/messages/count_tokens'))
  // The same API under a path of this gateway's own: its dialect is set on the route.
  app.post('/claude/messages', { config: { openaiErrors: { dialect: 'anthropic' } } }, forward('/v1/messages'))
  return app
}

module.exports = { build }

if (require.main === module) {
  build({ logger: true }).then(async (app) => {
    const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
    console.log(`anthropic gateway listening on ${address}, forwarding /v1/messages to ${process.env.UPSTREAM_URL ?? DEFAULT_UPSTREAM_URL}`)
  }, (err) => {
    console.error(err)
    process.exitCode = 1
  })
}
