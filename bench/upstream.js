'use strict'

// The upstream the proxied scenarios forward to: a plain node:http server (cheap, so that the gateway is what
// the numbers measure), shared by all three servers. Started by run.js, which reads its port over IPC.

const http = require('node:http')
const bodies = require('./bodies')

const JSON_TYPE = 'application/json'

function sendJson (res, body) {
  res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': body.length })
  res.end(body)
}

// The events go out one per turn of the event loop, as separate writes, the way a model streams tokens.
// The first one leaves with the headers: the plugin waits for the first data event before it sends its
// own headers, so a model's time to first token would be added to its TTFB (and to bare Fastify's time
// to first event alike).
// With gapMs, the events after the first come that many ms apart.
function sendEvents (res, events, gapMs = 0) {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
  let index = 0
  const next = () => {
    if (res.destroyed) return
    if (index === events.length) return res.end()
    res.write(events[index++])
    if (gapMs === 0) setImmediate(next)
    else setTimeout(next, gapMs)
  }
  next()
}

// Half the body, a pause, the rest: one response with a content-length, written in two parts.
function sendPaused (res) {
  const [head, rest] = bodies.PAUSED_PARTS
  res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': head.length + rest.length })
  res.write(head)
  setTimeout(() => res.end(rest), bodies.PAUSE_MS)
}

const routes = {
  '/chat': (res) => sendJson(res, bodies.SMALL_BUFFER),
  '/large': (res) => sendJson(res, bodies.LARGE),
  '/error': (res) => sendJson(res, bodies.ERROR),
  '/sse': (res) => sendEvents(res, bodies.SSE_EVENTS),
  '/sse-error': (res) => sendEvents(res, bodies.SSE_ERROR_EVENTS, bodies.SSE_ERROR_GAP_MS),
  '/paused': sendPaused,
  '/gzip': (res) => {
    res.writeHead(200, { 'content-type': JSON_TYPE, 'content-encoding': 'gzip', 'content-length': bodies.GZIP_SMALL.length })
    res.end(bodies.GZIP_SMALL)
  }
}

// Every connection a gateway opens to this upstream, counted: a gateway that cuts a response it does not send on
// closes its kept-alive connection, and its next request opens a new one.
let connections = 0

const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const route = routes[req.url]
  if (route === undefined) {
    res.writeHead(404).end()
    return
  }
  // The gateway may send a body (it does not here); drain it before answering.
  req.resume()
  route(res)
})

server.on('connection', () => { connections++ })
process.on('message', (message) => {
  if (message?.type === 'connections') process.send({ type: 'connections', count: connections })
})

server.listen(0, '127.0.0.1', () => {
  process.send({ type: 'ready', port: server.address().port })
})

// The runner going away (even killed) closes the IPC channel: never outlive it.
process.on('disconnect', () => process.exit(0))
