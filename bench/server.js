'use strict'

// One server under test, started by run.js in its own process:
//   node bench/server.js bare|plugin|hand|hook <upstream base URL>
// bare: Fastify alone; plugin: Fastify with fastify-openai-errors (the built dist/, as `require('..')` loads
// it); hand: Fastify with the hand-written hook of hand-written-hook.js; hook: Fastify with an onSend hook that
// hands every payload on as it is (what any onSend hook costs, before it does anything). Everything else is the same.

const Fastify = require('fastify')
const replyFrom = require('@fastify/reply-from')
const bodies = require('./bodies')
const { handWrittenOnSend } = require('./hand-written-hook')

const [variant, upstream] = process.argv.slice(2)
const JSON_TYPE = 'application/json; charset=utf-8'

async function main () {
  const app = Fastify({ logger: false })
  if (variant === 'plugin') await app.register(require('..'))
  else if (variant === 'hand') app.addHook('onSend', handWrittenOnSend)
  else if (variant === 'hook') app.addHook('onSend', (request, reply, payload, done) => { done(null, payload) })
  else if (variant !== 'bare') throw new Error(`unknown variant ${variant}`)
  await app.register(replyFrom, { base: upstream })

  // What a route hands onSend: the serialized string Fastify makes of a returned object (small), the bytes a
  // gateway read from its upstream (large, error).
  app.get('/small', (request, reply) => { reply.type(JSON_TYPE).send(bodies.SMALL) })
  app.get('/large', (request, reply) => { reply.type(JSON_TYPE).send(bodies.LARGE) })
  app.get('/error', (request, reply) => { reply.type(JSON_TYPE).send(bodies.ERROR) })
  let varied = 0
  app.get('/error-varied', (request, reply) => { reply.type(JSON_TYPE).send(bodies.VARIED_ERRORS[varied++ % bodies.VARIED_ERRORS.length]) })
  // The upstream's body as a stream, what @fastify/reply-from sends on.
  for (const path of ['/chat', '/large', '/error', '/sse', '/sse-error', '/paused', '/gzip']) {
    app.get('/proxy' + path, (request, reply) => { reply.from(path) })
  }

  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  process.send({ type: 'ready', port: app.server.address().port, address })

  process.on('message', (message) => {
    // The CPU time this process has used, read before and after each measurement (microseconds).
    if (message?.type === 'usage') {
      const { user, system } = process.cpuUsage()
      process.send({ type: 'usage', cpu: user + system, rss: process.memoryUsage().rss })
    }
    // A clean exit, so that --cpu-prof writes its profile.
    if (message?.type === 'exit') app.close().finally(() => process.exit(0))
  })
}

// The runner going away (even killed) closes the IPC channel: never outlive it.
process.on('disconnect', () => process.exit(0))

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
