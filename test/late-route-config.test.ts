import t from 'tap'
import Fastify from 'fastify'
import { Readable } from 'node:stream'
import plugin = require('../lib/index')

// register() not awaited: Fastify adds the routes below before the plugin runs, so its onRoute hook never
// sees them. Their config must still be honoured.

const notFound = '{"error":"model \\"llama2\\" not found, try pulling it first"}'

function build (logLines?: string[]): ReturnType<typeof Fastify> {
  const app = logLines === undefined
    ? Fastify()
    : Fastify({ logger: { level: 'error', stream: { write: (line: string) => { logLines.push(line) } } } })
  app.register(plugin as any, { rules: [{ name: 'plugin-rule', message: 'llama2', status: 410 }] })
  const send = (body: unknown) => async (_request: unknown, reply: any) => reply.header('content-type', 'application/json').send(body)
  app.get('/plain', send(notFound))
  app.get('/off', { config: { openaiErrors: false } }, send(notFound))
  app.get('/rewrite', { config: { openaiErrors: { rewriteBody: true } } }, send(notFound))
  app.get('/rule', { config: { openaiErrors: { rules: [{ message: 'pulling', status: 424 }] } } }, send(notFound))
  app.get('/invalid', { config: { openaiErrors: 'yes' } as any }, send(notFound))
  app.get('/ok', { config: { openaiErrors: false } }, send('{"id":"x"}'))
  app.get('/stream-off', { config: { openaiErrors: false } }, async (_request, reply) => reply.header('content-type', 'application/json').send(Readable.from([Buffer.from(notFound)])))
  app.get('/stream-rule', { config: { openaiErrors: { rules: [{ message: 'pulling', status: 424 }] } } }, async (_request, reply) => reply.header('content-type', 'application/json').send(Readable.from([Buffer.from(notFound)])))
  return app
}

t.test('routes added before the plugin loaded keep their per-route config', async (t) => {
  const app = build()
  t.equal((await app.inject('/plain')).statusCode, 410, 'plugin rules apply')
  t.equal((await app.inject('/off')).statusCode, 200, 'false turns it off')
  t.equal((await app.inject('/off')).statusCode, 200, 'and again, from the cache')
  const rewritten = await app.inject('/rewrite')
  t.equal(rewritten.statusCode, 410)
  t.equal(rewritten.json().error.type, 'invalid_request_error')
  t.equal((await app.inject('/rule')).statusCode, 424, 'route rules run first')
  t.equal((await app.inject('/ok')).statusCode, 200)
  t.equal((await app.inject('/stream-off')).statusCode, 200, 'stream routes too')
  t.equal((await app.inject('/stream-rule')).statusCode, 424)
  await app.close()
})

t.test('an invalid config on such a route is logged once and the plugin settings apply', async (t) => {
  const lines: string[] = []
  const app = build(lines)
  t.equal((await app.inject('/invalid')).statusCode, 410)
  t.equal((await app.inject('/invalid')).statusCode, 410)
  const logged = lines.filter((line) => line.includes('invalid route config ignored'))
  t.equal(logged.length, 1)
  t.match(logged[0], /config\.openaiErrors must be false or an object/)
  await app.close()
})

t.test('an error body on a route added before the plugin is parsed once, though two settings judge it', async (t) => {
  const app = build()
  await app.ready()
  const parse = JSON.parse
  let parses = 0
  JSON.parse = ((...args: Parameters<typeof JSON.parse>) => { parses++; return parse(...args) }) as typeof JSON.parse
  let status: number
  try {
    status = (await app.inject('/rule')).statusCode
  } finally {
    JSON.parse = parse
  }
  t.equal(status, 424, "the route's own rule decided")
  t.equal(parses, 1)
  await app.close()
})
