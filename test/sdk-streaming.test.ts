import t from 'tap'
import OpenAI from 'openai'
import { addressOf, buildGateway } from './helpers/gateway'
import { startUpstream, type Handler } from './helpers/upstream'

// The openai SDK against a real reply-from gateway: an error as the first event of a 200 stream must
// surface as the SDK's typed error with its status, so that retries and error handling work.

function errorFirst (event: string): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write(': OPENROUTER PROCESSING\n\n')
    setTimeout(() => res.end(`${event}\n\ndata: [DONE]\n\n`), 10)
  }
}

async function streamThrough (t: any, handler: Handler, withPlugin: boolean): Promise<unknown> {
  const upstream = await startUpstream(t, handler)
  const gateway = await buildGateway(t, { plugin: withPlugin ? {} : false, upstream: upstream.url, listen: true })
  const client = new OpenAI({ baseURL: `${addressOf(gateway)}/v1`, apiKey: 'sk-test', maxRetries: 0 })
  try {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true })
    const text: string[] = []
    for await (const chunk of stream) text.push(chunk.choices[0]?.delta?.content ?? '')
    return text.join('')
  } catch (error) {
    return error
  }
}

const cases: Array<[string, string, new (...args: any[]) => Error, number]> = [
  ['rate limit', 'data: {"error":{"message":"Rate limit reached for requests","type":"rate_limit_error","code":"rate_limit_exceeded"}}', OpenAI.RateLimitError, 429],
  ['unknown model (LiteLLM)', 'data: {"error":{"message":"No models available for selected model","type":"invalid_request_error"}}', OpenAI.NotFoundError, 404],
  ['context length (sglang)', 'data: {"error": {"object": "error", "message": "Requested token count exceeds the model\'s maximum context length of 196608 tokens.", "type": "BadRequestError", "param": null, "code": 400}}', OpenAI.BadRequestError, 400],
  ['bad key', 'data: {"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}', OpenAI.AuthenticationError, 401],
  ['overloaded (vLLM flat)', 'data: {"object":"error","message":"The server is overloaded","type":"ServiceUnavailableError","code":503}', OpenAI.InternalServerError, 503]
]

for (const [what, event, ErrorClass, status] of cases) {
  t.test(`stream whose first event is an error (${what}) raises ${ErrorClass.name} ${status}`, async (t) => {
    const error = await streamThrough(t, errorFirst(event), true)
    t.type(error, ErrorClass)
    t.equal((error as InstanceType<typeof OpenAI.APIError>).status, status)
  })
}

t.test('without the plugin the same stream raises no typed error and no status', async (t) => {
  const error = await streamThrough(t, errorFirst(cases[0][1]), false)
  t.notOk(error instanceof OpenAI.RateLimitError, 'not a RateLimitError')
  t.equal((error as { status?: number }).status, undefined, 'no status for retry logic to read')
})

t.test('a success stream reaches the SDK whole', async (t) => {
  const text = await streamThrough(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    for (const word of ['Hello', ', ', 'world']) {
      res.write(`data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"${word}"},"finish_reason":null}]}\n\n`)
    }
    res.end('data: [DONE]\n\n')
  }, true)
  t.equal(text, 'Hello, world')
})
