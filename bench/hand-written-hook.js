'use strict'

// Server (c): the onSend hook a user writes when they do not use the plugin, for the same job. It parses every
// JSON body and, when the body has an `error` key, answers with `error.code` when that is an HTTP error status,
// else 500. Stream bodies (what @fastify/reply-from sends on) are handled the plain way: a JSON stream of at most
// 64 KiB is read to its end and judged like any body; an event stream's first chunk is looked at, and when it is
// `data: {"error"...` the stream is cut and that JSON sent instead; anything else goes on untouched.
// Written with `done` rather than `async`, the cheaper of Fastify's two hook styles.

const { Readable } = require('node:stream')

const MAX_BYTES = 64 * 1024

function setStatus (reply, body) {
  if (body !== null && typeof body === 'object' && body.error) {
    const code = Number(body.error.code)
    reply.code(Number.isInteger(code) && code >= 400 && code <= 599 ? code : 500)
  }
}

function judge (reply, payload) {
  try {
    setStatus(reply, JSON.parse(payload))
  } catch {}
}

async function readAll (stream) {
  const chunks = []
  for await (const chunk of stream) chunks.push(chunk)
  return Buffer.concat(chunks)
}

function onSendStream (reply, contentType, payload, done) {
  if (contentType.includes('json') && !(Number(reply.getHeader('content-length')) > MAX_BYTES)) {
    readAll(payload).then((body) => {
      judge(reply, body)
      done(null, body)
    }, done)
    return
  }
  if (!contentType.includes('text/event-stream')) return done(null, payload)
  const chunks = payload[Symbol.asyncIterator]()
  chunks.next().then(({ value, done: ended }) => {
    if (ended) return done(null, '')
    const first = value.toString()
    if (first.startsWith('data: {"error"')) {
      try {
        const body = JSON.parse(first.slice(6, first.indexOf('\n')))
        setStatus(reply, body)
        payload.destroy()
        reply.header('content-type', 'application/json; charset=utf-8')
        return done(null, JSON.stringify(body))
      } catch {}
    }
    // Not an error: the first chunk, then the rest of the stream.
    done(null, Readable.from((async function * () {
      yield value
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value
    })()))
  }, done)
}

function handWrittenOnSend (request, reply, payload, done) {
  const contentType = reply.getHeader('content-type')
  if (typeof contentType !== 'string') return done(null, payload)
  if (payload !== null && typeof payload === 'object' && typeof payload.pipe === 'function') return onSendStream(reply, contentType, payload, done)
  if ((typeof payload === 'string' || Buffer.isBuffer(payload)) && contentType.includes('json')) judge(reply, payload)
  done(null, payload)
}

module.exports = { handWrittenOnSend }
