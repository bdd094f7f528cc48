'use strict'

// Server (c): the onSend hook a user writes when they do not use the plugin. It parses every JSON body
// that is a string or a Buffer and, when the body has an `error` key, answers with `error.code` when that is
// an HTTP error status, else 500. Stream bodies (everything @fastify/reply-from sends on) pass untouched:
// it does not read streams at all, so its proxied numbers are those of doing nothing.
// Written with `done` rather than `async`, the cheaper of Fastify's two hook styles.

function handWrittenOnSend (request, reply, payload, done) {
  const contentType = reply.getHeader('content-type')
  if ((typeof payload === 'string' || Buffer.isBuffer(payload)) && typeof contentType === 'string' && contentType.includes('json')) {
    let body
    try {
      body = JSON.parse(payload)
    } catch {
      return done(null, payload)
    }
    if (body !== null && typeof body === 'object' && body.error) {
      const code = Number(body.error.code)
      reply.code(Number.isInteger(code) && code >= 400 && code <= 599 ? code : 500)
    }
  }
  done(null, payload)
}

module.exports = { handWrittenOnSend }
