'use strict'

// A Hono gateway in front of an OpenAI-compatible upstream, served by @hono/node-server. /v1/* is forwarded with
// fetch; the fastify-openai-errors middleware gives each answer the status its body means (an error body answered
// with 200 leaves as 404, 429...), reading streams within bounds and sending them on byte for byte.
//
//   UPSTREAM_URL=http://localhost:4000 PORT=3000 node examples/hono-gateway.js
//
// UPSTREAM_URL is a base URL as the openai SDK takes it: /v1/chat/completions goes to UPSTREAM_URL/chat/completions.

const { Hono } = require('hono')
const { serve } = require('@hono/node-server')
const { openaiErrors } = require('fastify-openai-errors/hono')

const DEFAULT_UPSTREAM_URL = 'http://127.0.0.1:4000'

// Request headers the upstream gets; response headers that described fetch's compressed bytes, which it decoded.
const FORWARDED = ['authorization', 'content-type', 'accept']
const DECODED = ['content-encoding', 'content-length', 'transfer-encoding']

const openaiError = (message, type, code) => ({ error: { message, type, param: null, code } })

/**
 * @param {object} [opts]
 * @param {string} [opts.upstreamUrl] defaults to UPSTREAM_URL, then http://127.0.0.1:4000
 * @param {typeof fetch} [opts.fetch] the fetch to call the upstream with
 * @param {number} [opts.timeoutMs] how long to wait for the upstream's headers; a timeout answers 504
 * @param {object} [opts.openaiErrors] options for the middleware
 */
function build (opts = {}) {
  const upstreamUrl = (opts.upstreamUrl ?? process.env.UPSTREAM_URL ?? DEFAULT_UPSTREAM_URL).replace(/\/+$/, '')
  const fetchUpstream = opts.fetch ?? globalThis.fetch
  const timeoutMs = opts.timeoutMs ?? 60_000

  const app = new Hono()
  app.use('*', openaiErrors(opts.openaiErrors ?? {}))

  app.all('/v1/*', async (c) => {
    const url = new URL(c.req.url)
    const headers = {}
    for (const name of FORWARDED) {
      const value = c.req.header(name)
      if (value !== undefined) headers[name] = value
    }
    // The deadline is for the upstream's headers only: a streamed completion may take longer.
    const deadline = new AbortController()
    const timer = setTimeout(() => deadline.abort(new DOMException('The upstream did not answer in time', 'TimeoutError')), timeoutMs)
    const init = { method: c.req.method, headers, signal: deadline.signal }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') init.body = await c.req.arrayBuffer()
    let upstream
    try {
      upstream = await fetchUpstream(upstreamUrl + url.pathname.slice('/v1'.length) + url.search, init)
    } catch (error) {
      const timedOut = error?.name === 'TimeoutError'
      return c.json(openaiError(timedOut ? 'The upstream did not answer in time' : 'The upstream could not be reached', 'api_error', null), timedOut ? 504 : 502)
    } finally {
      clearTimeout(timer)
    }
    const answer = new Headers(upstream.headers)
    for (const name of DECODED) answer.delete(name)
    return new Response(upstream.body, { status: upstream.status, headers: answer })
  })

  app.notFound((c) => c.json(openaiError(`Unknown request URL: ${c.req.method} ${new URL(c.req.url).pathname}`, 'invalid_request_error', 'unknown_url'), 404))
  return app
}

/** Serve the app on `port` (0: any free one) and `hostname`; resolves with the server and its address once listening. */
function listen (app, { port = Number(process.env.PORT ?? 3000), hostname = process.env.HOST ?? '127.0.0.1' } = {}) {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
      resolve({ server, url: `http://${hostname}:${info.port}` })
    })
  })
}

module.exports = { build, listen }

if (require.main === module) {
  listen(build()).then(({ url }) => {
    console.log(`gateway listening on ${url}, forwarding to ${process.env.UPSTREAM_URL ?? DEFAULT_UPSTREAM_URL}`)
  })
}
