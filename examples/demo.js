'use strict'

// The demo: BerriAI/litellm#27030 before and after, buffered, proxied and streamed.
//
// An upstream that answers like the LiteLLM proxy in that report (HTTP 200 with an error body for an
// unknown model) and two gateways in front of it, all on 127.0.0.1: basic-gateway.js (fetch, then send
// the buffered body) and proxy-gateway.js (@fastify/reply-from, which hands the plugin the upstream body
// as a stream). The same requests go to the upstream directly and through a gateway; the tables show the
// answers side by side, and for the proxy what the openai SDK makes of each. Exits 1 if a gateway did not
// give an error its status, or touched a success.
//
//   npm run demo      (builds dist/, then runs this file)

const http = require('node:http')
const OpenAI = require('openai')
const { classify } = require('fastify-openai-errors')
const basicGateway = require('./basic-gateway')
const proxyGateway = require('./proxy-gateway')

const KNOWN_MODEL = 'gpt-4o-mini'
const REPORT_MODEL = 'totally-nonexistent-model-xyz'
const RATE_LIMITED_MODEL = 'rate-limited/gpt-4o-mini'
const SGLANG_MODEL = 'sglang/long-context'
const MESSAGES = [{ role: 'user', content: 'hi' }]
const REPLY = 'Hello! How can I help?'

// The bodies in-band errors arrive with. The first is the report's; the others are what other servers
// send for the same kind of failure (sources in test/fixtures/provider-errors.json), answered with
// 200 here as a proxy does when it passes a backend's error through as content.
const IN_BAND_ERRORS = {
  [REPORT_MODEL]: '{"error":{"message":"No models available...","type":"invalid_request_error"}}',
  'ollama/llama2': '{"error":"model \\"llama2\\" not found, try pulling it first"}',
  'gemini/gemini-1.5-pro': '{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}',
  'hosted_vllm/qwen': '{"object":"error","message":"The model `qwen` does not exist.","type":"NotFoundError","param":null,"code":404}'
}

// Streams (`"stream": true`) whose first event is an error, sent with 200 and text/event-stream. The
// rate limit is OpenAI's body for it (message shortened), after a keep-alive comment; the sglang stream is
// the one in BerriAI/litellm#25492 (a context overflow whose only event is the error, [DONE] in the same event).
const RATE_LIMIT_ERROR = '{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}'
const SGLANG_ERROR = '{"error": {"object": "error", "message": "Requested token count exceeds the model\'s maximum context length of 196608 tokens. You requested a total of 204830 tokens: 172830 tokens from the input messages and 32000 tokens for the completion. Please reduce the number of tokens in the input messages or the completion to fit within the limit.", "type": "BadRequestError", "param": null, "code": 400}}'
const STREAM_ERRORS = {
  [RATE_LIMITED_MODEL]: { json: RATE_LIMIT_ERROR, events: [': keep-alive\n\n', `data: ${RATE_LIMIT_ERROR}\n\ndata: [DONE]\n\n`] },
  [SGLANG_MODEL]: { json: SGLANG_ERROR, events: [`data: ${SGLANG_ERROR}\ndata: [DONE]\n`] }
}

/** Through basic-gateway.js: the body is buffered before the plugin sees it. */
const CASES = [
  { name: 'LiteLLM, unknown model (#27030)', model: REPORT_MODEL, expected: 404 },
  { name: 'LiteLLM, known model', model: KNOWN_MODEL, expected: 200 },
  { name: 'Ollama, model not pulled', model: 'ollama/llama2', expected: 404 },
  { name: 'Gemini, quota exhausted', model: 'gemini/gemini-1.5-pro', expected: 429 },
  { name: 'vLLM, flat error object', model: 'hosted_vllm/qwen', expected: 404 }
]

/** Through proxy-gateway.js: the plugin reads the upstream's body stream; `sdk` is what the openai SDK should raise or return. */
const PROXY_CASES = [
  { name: 'LiteLLM, unknown model (#27030)', model: REPORT_MODEL, stream: false, expected: 404, sdk: 'NotFoundError 404' },
  { name: 'LiteLLM, known model', model: KNOWN_MODEL, stream: false, expected: 200, sdk: `resolves "${REPLY}"` },
  { name: 'stream, rate limit first', model: RATE_LIMITED_MODEL, stream: true, expected: 429, sdk: 'RateLimitError 429' },
  { name: 'stream, sglang context (#25492)', model: SGLANG_MODEL, stream: true, expected: 400, sdk: 'BadRequestError 400' },
  { name: 'stream, completion', model: KNOWN_MODEL, stream: true, expected: 200, sdk: `streams "${REPLY}"` }
]

function completion (model) {
  return JSON.stringify({
    id: 'chatcmpl-demo',
    object: 'chat.completion',
    created: 1767225600,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: REPLY }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 8, completion_tokens: 7, total_tokens: 15 }
  })
}

/** A streamed completion, one word per event, then [DONE]. */
function completionEvents (model) {
  const chunk = (delta, finish) => 'data: ' + JSON.stringify({
    id: 'chatcmpl-demo', object: 'chat.completion.chunk', created: 1767225600, model, choices: [{ index: 0, delta, finish_reason: finish }]
  }) + '\n\n'
  const words = REPLY.split(/(?<= )/)
  return [chunk({ role: 'assistant', content: '' }, null), ...words.map((word) => chunk({ content: word }, null)), chunk({}, 'stop'), 'data: [DONE]\n\n']
}

/** Writes `events` one at a time, a few milliseconds apart, as a server streaming tokens does. */
function writeEvents (res, events) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  let index = 0
  const next = () => {
    if (index === events.length) return res.end()
    res.write(events[index++])
    setTimeout(next, 5)
  }
  next()
}

/** The LiteLLM-like upstream: plain node:http, so nothing of the plugin touches its answers. */
async function startUpstream () {
  const server = http.createServer((req, res) => {
    let raw = ''
    req.setEncoding('utf8')
    req.on('data', (chunk) => { raw += chunk })
    req.on('end', () => {
      // LiteLLM serves both /chat/completions and /v1/chat/completions.
      if (req.method !== 'POST' || !/^\/(?:v1\/)?chat\/completions$/.test(req.url)) {
        res.writeHead(404, { 'content-type': 'application/json' })
        return res.end('{"detail":"Not Found"}')
      }
      let request = {}
      try {
        request = JSON.parse(raw)
      } catch {}
      const { model, stream } = request
      if (stream === true && model === KNOWN_MODEL) return writeEvents(res, completionEvents(model))
      if (stream === true && STREAM_ERRORS[model] !== undefined) return writeEvents(res, STREAM_ERRORS[model].events)
      const body = model === KNOWN_MODEL ? completion(model) : (IN_BAND_ERRORS[model] ?? IN_BAND_ERRORS[REPORT_MODEL])
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(body)
    })
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  return { server, url: `http://127.0.0.1:${server.address().port}` }
}

async function listen (app) {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return `http://127.0.0.1:${app.server.address().port}`
}

/** Starts the upstream and both gateways; `close()` stops them. */
async function startDemo () {
  const upstream = await startUpstream()
  const apps = []
  const close = async () => {
    await Promise.all(apps.map((app) => app.close()))
    upstream.server.closeAllConnections()
    await new Promise((resolve) => upstream.server.close(resolve))
  }
  try {
    apps.push(await basicGateway.build({ upstreamUrl: upstream.url, timeoutMs: 10_000 }))
    apps.push(await proxyGateway.build({ upstreamUrl: upstream.url, timeoutMs: 10_000 }))
    const [gatewayUrl, proxyUrl] = await Promise.all(apps.map(listen))
    return { upstreamUrl: upstream.url, gatewayUrl, proxyUrl, close }
  } catch (err) {
    await close()
    throw err
  }
}

async function post (url, model, stream = false) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-1234' },
    body: JSON.stringify(stream ? { model, messages: MESSAGES, stream } : { model, messages: MESSAGES })
  })
  return { status: res.status, contentType: res.headers.get('content-type'), body: await res.text() }
}

/** What the openai SDK makes of the answer: the error class and status it raises, or what it returns. */
async function sdkView (baseURL, model, stream) {
  const client = new OpenAI({ apiKey: 'sk-1234', baseURL, maxRetries: 0 })
  try {
    if (!stream) {
      const answer = await client.chat.completions.create({ model, messages: MESSAGES })
      return answer.choices === undefined ? 'resolves, no choices' : `resolves ${JSON.stringify(answer.choices[0].message.content)}`
    }
    let text = ''
    let chunks = 0
    for await (const chunk of await client.chat.completions.create({ model, messages: MESSAGES, stream: true })) {
      chunks++
      text += chunk.choices[0]?.delta?.content ?? ''
    }
    return chunks === 0 ? 'ends, no chunks' : `streams ${JSON.stringify(text)}`
  } catch (err) {
    if (err instanceof OpenAI.APIError) return `${err.constructor.name}${err.status === undefined ? ', no status' : ` ${err.status}`}`
    return `throws ${err.name}`
  }
}

/**
 * Runs every case against the upstream directly and through a gateway, then closes them.
 * Each row: { section, name, model, stream, expected, direct, gateway, rule, sdk, ok }. `section` is
 * 'buffered' (basic-gateway.js) or 'proxied' (proxy-gateway.js); `direct` and `gateway` are
 * { status, contentType, body }; `sdk` is null for buffered rows, else { direct, gateway, expected }.
 * `ok` means the gateway answered `expected` with the upstream's bytes, or for a stream whose first
 * event is an error, with that event's JSON; and, when proxied, that the SDK saw what it should.
 */
async function runDemo () {
  const demo = await startDemo()
  try {
    const rows = []
    for (const { name, model, expected } of CASES) {
      const direct = await post(`${demo.upstreamUrl}/chat/completions`, model)
      const gateway = await post(`${demo.gatewayUrl}/v1/chat/completions`, model)
      const rule = classify(direct.body)?.rule ?? null
      const ok = gateway.status === expected && gateway.body === direct.body
      rows.push({ section: 'buffered', name, model, stream: false, expected, direct, gateway, rule, sdk: null, ok })
    }
    for (const { name, model, stream, expected, sdk: expectedSdk } of PROXY_CASES) {
      const direct = await post(`${demo.upstreamUrl}/chat/completions`, model, stream)
      const gateway = await post(`${demo.proxyUrl}/v1/chat/completions`, model, stream)
      const errorJson = stream ? STREAM_ERRORS[model]?.json : direct.body
      const rule = errorJson === undefined ? null : (classify(errorJson)?.rule ?? null)
      const sdk = {
        direct: await sdkView(demo.upstreamUrl, model, stream),
        gateway: await sdkView(`${demo.proxyUrl}/v1`, model, stream),
        expected: expectedSdk
      }
      // An error stream is answered with the error event's JSON as sent; everything else keeps its bytes.
      const answered = rule !== null && stream
        ? gateway.body === errorJson && /^application\/json/.test(gateway.contentType)
        : gateway.body === direct.body && gateway.contentType === direct.contentType
      const ok = gateway.status === expected && answered && sdk.gateway === expectedSdk
      rows.push({ section: 'proxied', name, model, stream, expected, direct, gateway, rule, sdk, ok })
    }
    return rows
  } finally {
    await demo.close()
  }
}

const pad = (value, width) => String(value).padEnd(width)
const mediaType = (contentType) => (contentType ?? '').split(';')[0]
const wrong = (row) => (row.ok ? '' : '  <- WRONG')

function print (rows) {
  const buffered = rows.filter((row) => row.section === 'buffered')
  const proxied = rows.filter((row) => row.section === 'proxied')
  const lines = [
    'fastify-openai-errors demo: the same request straight to a LiteLLM-like upstream, then through a gateway',
    '',
    'Buffered: examples/basic-gateway.js (fetch, then reply.send(buffer))',
    `  ${pad('case', 33)}${pad('model', 31)}direct  gateway  decided by`
  ]
  for (const row of buffered) {
    lines.push(`  ${pad(row.name, 33)}${pad(row.model, 31)}${pad(row.direct.status, 8)}${pad(row.gateway.status, 9)}${row.rule ?? '(not an error)'}${wrong(row)}`)
  }
  const report = buffered.find((row) => row.model === REPORT_MODEL)
  if (report !== undefined) {
    lines.push(
      '',
      `The report's request: POST /chat/completions {"model":"${REPORT_MODEL}","messages":[{"role":"user","content":"hi"}]}`,
      `  upstream: ${report.direct.status} ${report.direct.body}`,
      `  gateway:  ${report.gateway.status} ${report.gateway.body}`,
      report.gateway.status === report.direct.status
        ? '  Same status: a client that checks only the status takes this error for a success.'
        : report.gateway.body === report.direct.body
          ? '  Same bytes, new status: clients that check only the status now see the error.'
          : '  New status, and the gateway rewrote the body.'
    )
  }
  if (proxied.length > 0) {
    const answer = (a) => `${a.status} ${mediaType(a.contentType)}`
    const width = (values) => Math.max(...values.map((value) => value.length)) + 2
    const answerWidth = width(proxied.flatMap((row) => [answer(row.direct), answer(row.gateway)]))
    lines.push(
      '',
      'Proxied: examples/proxy-gateway.js (@fastify/reply-from; the plugin reads the upstream body stream)',
      `  ${pad('case', 33)}${pad('direct', answerWidth)}${pad('gateway', answerWidth)}decided by`
    )
    for (const row of proxied) {
      lines.push(`  ${pad(row.name, 33)}${pad(answer(row.direct), answerWidth)}${pad(answer(row.gateway), answerWidth)}${row.rule ?? '(not an error)'}${wrong(row)}`)
    }
    const passed = proxied.find((row) => row.stream && row.rule === null)
    if (passed !== undefined) {
      lines.push(
        '  A stream whose first event is an error is answered with that event\'s JSON and its status instead;',
        `  any other stream goes out as it came (the completion: ${Buffer.byteLength(passed.gateway.body)} bytes, ` +
          `${passed.gateway.body === passed.direct.body ? 'identical' : 'NOT identical'}).`
      )
    }
    const sdkWidth = width(proxied.map((row) => row.sdk.direct))
    lines.push('', 'The openai SDK on the same calls:', `  ${pad('case', 33)}${pad('direct', sdkWidth)}through the gateway`)
    for (const row of proxied) lines.push(`  ${pad(row.name, 33)}${pad(row.sdk.direct, sdkWidth)}${row.sdk.gateway}${wrong(row)}`)
  }
  const failed = rows.filter((row) => !row.ok)
  const got = (row) => `${row.gateway.status}${row.sdk === null ? '' : `, SDK ${row.sdk.gateway}`}`
  const wanted = (row) => `${row.expected}${row.sdk === null ? '' : `, SDK ${row.sdk.expected}`}`
  lines.push('', failed.length === 0
    ? `OK: all ${rows.length} cases answered with the expected status, and the SDK saw what it should.`
    : `FAILED: ${failed.map((row) => `${row.name} (${row.section}) answered ${got(row)}, expected ${wanted(row)}`).join('; ')}`)
  console.log(lines.join('\n'))
  return failed.length === 0
}

/** Runs the demo and prints it; resolves true when every row is fixed. */
async function main () {
  return print(await runDemo())
}

module.exports = { main, runDemo, startDemo, startUpstream, CASES, PROXY_CASES, IN_BAND_ERRORS, STREAM_ERRORS, KNOWN_MODEL, REPORT_MODEL, RATE_LIMITED_MODEL, SGLANG_MODEL }

if (require.main === module) {
  main().then((ok) => {
    process.exitCode = ok ? 0 : 1
  }, (err) => {
    console.error(err)
    process.exitCode = 1
  })
}
