'use strict'

// The bodies every scenario sends, built once and shared by the upstream and the servers so that all
// three servers send the same bytes.

const path = require('node:path')
const fs = require('node:fs')
const zlib = require('node:zlib')

const FIXTURES = path.join(__dirname, '..', 'test', 'fixtures')

// The bench sends real fixture bodies; a missing one is an error, not a reason to make one up.
function fixture (file, pick) {
  const entry = JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8')).find(pick)
  if (entry === undefined) throw new Error(`bench: no entry in test/fixtures/${file} for ${pick}`)
  return entry.body
}

// A real chat completion (test/fixtures: OpenAI POST /v1/chat/completions), given a real-length answer so
// that it is about 1 KB like a short completion.
const chat = structuredClone(fixture('success-bodies.json', (entry) => entry.endpoint === 'POST /v1/chat/completions'))
const ANSWER = 'Fastify hooks run in order: onRequest, preParsing, preValidation, preHandler, then the handler, ' +
  'preSerialization, onSend and onResponse. An onSend hook sees the serialized payload and may replace it or change the status. ' +
  'Keep it cheap: it runs for every response. In a gateway that relays upstream bodies, check the status and the content ' +
  'type first, and parse only a body that can be an error.'
chat.choices[0].message.content = ANSWER
chat.choices[0].finish_reason = 'stop'
chat.usage.completion_tokens = 52
chat.usage.total_tokens = chat.usage.prompt_tokens + 52
const SMALL = JSON.stringify(chat)

// 1 MB of success JSON: an embeddings response (what a batch embedding call returns), 8 vectors of 1536 floats
// and then as many more as it takes to pass 1 MiB.
function embeddings (minBytes) {
  let seed = 42
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed / 2147483648
  }
  const data = []
  let size = 0
  while (size < minBytes) {
    const vector = Array.from({ length: 1536 }, () => Number(((random() - 0.5) * 0.1).toFixed(9)))
    const item = { object: 'embedding', index: data.length, embedding: vector }
    size += JSON.stringify(item).length + 1
    data.push(item)
  }
  return JSON.stringify({ object: 'list', data, model: 'text-embedding-3-small', usage: { prompt_tokens: 8 * data.length, total_tokens: 8 * data.length } })
}
const LARGE = Buffer.from(embeddings(1024 * 1024))

// The error envelope an OpenAI-compatible proxy answers with 200 (test/fixtures: OpenAI's 404 for a model that does
// not exist); the plugin must turn its status into 404.
const errorBody = fixture('provider-errors.json', (entry) => entry.provider === 'openai' && entry.status === 404)
const ERROR = Buffer.from(JSON.stringify(errorBody))
const ERROR_STATUS = 404

// The same error as a gateway sees it from many clients: OpenAI's message names the model the request asked for, so
// each of VARIED_MODELS names gives bytes of its own, more kinds than the plugin's decision cache keeps (256): every
// request is a first sighting, classified from scratch. The route sends them in turn.
const VARIED_MODELS = 4096
if (!JSON.stringify(errorBody).includes('The model gpt-4 does')) throw new Error('the OpenAI 404 fixture no longer names gpt-4')
const VARIED_ERRORS = Array.from({ length: VARIED_MODELS }, (_, n) => Buffer.from(JSON.stringify(errorBody).replace('The model gpt-4 does', `The model gpt-4-${n} does`)))

// A streamed chat completion as OpenAI sends it: a role chunk, one chunk per token, a finish chunk, [DONE].
function chunk (delta, finishReason) {
  return 'data: ' + JSON.stringify({
    id: 'chatcmpl-CHMtQ8DPCekyNyDgbWhn8k2U47y5B',
    object: 'chat.completion.chunk',
    created: 1758255612,
    model: 'gpt-4o-mini-2024-07-18',
    system_fingerprint: 'fp_0ba0d124f1',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }]
  }) + '\n\n'
}
const TOKENS = ANSWER.split(/(?<= )/).slice(0, 24)
const SSE_EVENTS = [
  chunk({ role: 'assistant', content: '', refusal: null }, null),
  ...TOKENS.map((token) => chunk({ content: token }, null)),
  chunk({}, 'stop'),
  'data: [DONE]\n\n'
].map((event) => Buffer.from(event))

// An event stream whose first event is the error (how vLLM, LiteLLM and OpenRouter fail a streamed call after
// answering 200): the plugin answers it with a JSON 404 instead.
// The upstream keeps writing after the error (comments, 10 ms apart, then [DONE]): the plugin must read that away
// rather than cut it, or the upstream's kept-alive connection is closed and the next request opens a new one.
const SSE_ERROR_EVENTS = [
  Buffer.from('data: ' + JSON.stringify(errorBody) + '\n\n'),
  ...Array.from({ length: 4 }, () => Buffer.from(': upstream still writing\n\n')),
  Buffer.from('data: [DONE]\n\n')
]
const SSE_ERROR_GAP_MS = 10

// A success body whose upstream stops halfway for PAUSE_MS (a slow backend, a long generation): the client should
// have its head at once, as it does without the plugin, not after the pause.
const PAUSE_MS = 300
const SMALL_BUFFER = Buffer.from(SMALL)
const PAUSED_PARTS = [SMALL_BUFFER.subarray(0, SMALL_BUFFER.length >> 1), SMALL_BUFFER.subarray(SMALL_BUFFER.length >> 1)]

// The small success body gzipped, as an upstream behind a compressing proxy sends it.
const GZIP_SMALL = zlib.gzipSync(SMALL_BUFFER)

module.exports = {
  SMALL,
  SMALL_BUFFER,
  PAUSE_MS,
  PAUSED_PARTS,
  GZIP_SMALL,
  LARGE,
  ERROR,
  ERROR_STATUS,
  VARIED_ERRORS,
  SSE_EVENTS,
  SSE: Buffer.concat(SSE_EVENTS),
  SSE_ERROR_EVENTS,
  SSE_ERROR_GAP_MS,
  SSE_ERROR: Buffer.concat(SSE_ERROR_EVENTS)
}

if (require.main === module) {
  for (const [name, value] of Object.entries(module.exports)) {
    if (typeof value === 'string' || Buffer.isBuffer(value)) console.log(name, Buffer.byteLength(value), 'bytes')
  }
  console.log(SMALL)
  console.log(module.exports.SSE_ERROR.toString())
}
