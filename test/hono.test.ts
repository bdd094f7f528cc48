import t from 'tap'
import OpenAI from 'openai'
import type { ServerResponse } from 'node:http'
import { classify } from '../lib/core/table'
import { startUpstream, type Teardown } from './helpers/upstream'

// examples/hono-gateway.js served for real by @hono/node-server on 127.0.0.1, in front of a real upstream that answers
// real corpus bodies with 200, and the real openai SDK against it. The example runs on the built dist/.
const { load } = require('../scripts/corpus.js')
const honoGateway: {
  build: (opts?: Record<string, unknown>) => { fetch: unknown }
  listen: (app: unknown, opts?: { port?: number, hostname?: string }) => Promise<{ server: { close: (cb?: () => void) => void, closeAllConnections?: () => void }, url: string }>
} = require('../examples/hono-gateway.js')

interface Entry { provider: string, status: number, body?: unknown, body_text?: string, sse?: string, ndjson?: string }
const errors: Entry[] = load('errors')
const successes: Entry[] = load('successes')
const textOf = (entry: Entry): string => entry.body_text ?? JSON.stringify(entry.body)

/** A corpus error (not a stream) with this status that the classifier maps to the status its provider sent. */
const errorWithStatus = (status: number): Entry => errors.find((entry) =>
  entry.status === status && entry.sse === undefined && entry.ndjson === undefined && classify(textOf(entry))?.status === status) as Entry
const completion = successes.find((entry) => (entry.body as { object?: string } | undefined)?.object === 'chat.completion') as Entry
const sseError = errors.find((entry) => typeof entry.sse === 'string') as Entry

/** An upstream answering every request 200 with `body`, and the Hono gateway in front of it, with an SDK client. */
async function gatewayAnswering (t: Teardown, body: string, contentType = 'application/json') {
  const upstream = await startUpstream(t, (_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': contentType })
    res.end(body)
  })
  const { server, url } = await honoGateway.listen(honoGateway.build({ upstreamUrl: `${upstream.url}/v1` }), { port: 0, hostname: '127.0.0.1' })
  t.teardown(async () => {
    server.closeAllConnections?.()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${url}/v1`, maxRetries: 0, timeout: 5000 })
  return { url, client }
}

const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] }

const cases: Array<[number, new (...args: never[]) => Error]> = [
  [401, OpenAI.AuthenticationError],
  [404, OpenAI.NotFoundError],
  [429, OpenAI.RateLimitError]
]
for (const [status, ErrorClass] of cases) {
  t.test(`a corpus ${status} error the upstream sent with 200 reaches the SDK as ${ErrorClass.name}`, async (t) => {
    const entry = errorWithStatus(status)
    t.ok(entry, `the corpus has a ${status} error the classifier maps`)
    const { client } = await gatewayAnswering(t, textOf(entry))
    const error = await client.chat.completions.create(ask).then(() => null, (e: unknown) => e)
    t.ok(error instanceof ErrorClass, `${(error as Error)?.constructor?.name} is ${ErrorClass.name}`)
    t.equal((error as { status?: number }).status, status)
  })
}

t.test('a corpus success passes through the Hono gateway byte for byte with 200', async (t) => {
  const body = textOf(completion)
  const { url } = await gatewayAnswering(t, body)
  const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ask) })
  t.equal(res.status, 200)
  t.equal(await res.text(), body)
})

t.test('a corpus success reaches the SDK as the completion it is', async (t) => {
  const { client } = await gatewayAnswering(t, textOf(completion))
  const result = await client.chat.completions.create(ask)
  t.same(result, completion.body)
})

t.test('an SSE stream whose first event is a corpus error gives the SDK an APIError with the provider status', async (t) => {
  const expected = sseError.status
  const { client } = await gatewayAnswering(t, sseError.sse as string, 'text/event-stream')
  const error = await client.chat.completions.create({ ...ask, stream: true }).then(async (stream) => {
    for await (const _chunk of stream) { /* the error comes first */ }
    return null
  }, (e: unknown) => e)
  t.ok(error instanceof OpenAI.APIError, 'an APIError')
  t.equal((error as { status?: number }).status, expected)
})
