import t from 'tap'
import { findEnvelope, statusHint } from '../lib/core/extract'

t.test('OpenAI envelope: message, type, param and code are read as sent', async (t) => {
  t.match(findEnvelope({ error: { message: 'm', type: 'invalid_request_error', param: 'model', code: 'model_not_found' } }), {
    shape: 'openai', message: 'm', type: 'invalid_request_error', param: 'model', code: 'model_not_found', hint: undefined, weak: false
  })
})

t.test('Anthropic envelope is recognised by type "error"', async (t) => {
  t.match(findEnvelope({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: 'req_1' }), {
    shape: 'anthropic', type: 'overloaded_error', message: 'Overloaded'
  })
})

t.test('flat vLLM/Mistral envelope reads its fields from the top level', async (t) => {
  t.match(findEnvelope({ object: 'error', message: 'gone', type: 'NotFoundError', param: null, code: 404 }), {
    shape: 'flat', message: 'gone', type: 'NotFoundError', code: 404, hint: 404
  })
  t.match(findEnvelope({ object: 'error', message: 'Rate limit exceeded', type: 'rate_limited', code: '1300', raw_status_code: 429 }), {
    code: '1300', hint: 429
  }, 'raw_status_code is the hint when code is not a status')
})

t.test('the Responses stream error event is flat; type "error" with a string error is a string envelope', async (t) => {
  t.match(findEnvelope({ type: 'error', code: 'rate_limit_exceeded', message: 'Slow down', param: null, sequence_number: 1 }), {
    shape: 'flat', code: 'rate_limit_exceeded', message: 'Slow down'
  })
  t.match(findEnvelope({ type: 'error', error: 'Overloaded' }), { shape: 'string', message: 'Overloaded' })
})

t.test('Google envelope keeps the canonical status name', async (t) => {
  t.match(findEnvelope({ error: { code: 429, message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED' } }), {
    shape: 'google', statusName: 'RESOURCE_EXHAUSTED', hint: 429, code: 429
  })
})

t.test('Vertex arrays of envelopes use the first one', async (t) => {
  t.match(findEnvelope([{ error: { code: 404, message: 'Publisher model not found', status: 'NOT_FOUND' } }]), { hint: 404, statusName: 'NOT_FOUND' })
  t.equal(findEnvelope([]), null)
  t.equal(findEnvelope([{ id: 1 }]), null, 'an array of resources is not an error')
  t.equal(findEnvelope(['error']), null)
})

t.test('a string error is an envelope (Ollama, TGI, Fastify)', async (t) => {
  t.match(findEnvelope({ error: 'model "x" not found, try pulling it first' }), { shape: 'string', message: 'model "x" not found, try pulling it first' })
  t.match(findEnvelope({ error: 'Model is overloaded', error_type: 'overloaded' }), { type: 'overloaded' })
  t.match(findEnvelope({ statusCode: 404, code: 'FST_ERR_NOT_FOUND', error: 'Not Found', message: 'Route GET:/x not found' }), {
    message: 'Route GET:/x not found', hint: 404, code: 'FST_ERR_NOT_FOUND'
  }, 'Fastify shape: the detail is in message')
  t.equal(findEnvelope({ error: '   ' }), null, 'a blank string is no error')
})

t.test('a message that is itself an error object or a JSON string of one is unwrapped', async (t) => {
  t.match(findEnvelope({ error: { message: { error: { message: 'inner', type: 'rate_limit_error', code: 429 } } } }), {
    message: 'inner', type: 'rate_limit_error', hint: 429
  })
  t.match(findEnvelope({ error: { message: { message: 'plain inner', type: 't' } } }), { message: 'plain inner', type: 't' })
  t.match(findEnvelope({ error: { message: ' {"error":{"message":"quota","code":"429"}} ' } }), { message: 'quota', hint: 429 })
  t.match(findEnvelope({ error: { message: '{not json}' } }), { message: '{not json}' }, 'unparsable JSON stays the message')
  t.match(findEnvelope({ error: { message: '{"a":1}', type: 'x' } }), { message: '{"a":1}' }, 'JSON that is no envelope stays the message')
  t.match(findEnvelope({ error: { message: '{ "x"', type: 'x' } }), { message: '{ "x"' }, 'half an object is no JSON')
})

t.test('nesting is followed only a few levels deep', async (t) => {
  let message: unknown = { error: { message: 'deepest' } }
  for (let i = 0; i < 6; i++) message = { error: { message } }
  const envelope = findEnvelope(message)
  t.equal(envelope?.message, '', 'still an error, but the bound stops before the innermost message')
  t.match(findEnvelope({ error: { message: { error: { message: { error: { message: 'third' } } } } } }), { message: 'third' }, 'three levels are read')
})

t.test('outer fields win over inner ones', async (t) => {
  t.match(findEnvelope({ error: { message: '{"error":{"message":"in","type":"inner_t","code":"c","param":"p"}}', type: 'outer_t' } }), {
    message: 'in', type: 'outer_t', code: 'c', param: 'p'
  })
})

t.test('resources that carry an error field are not envelopes', async (t) => {
  t.equal(findEnvelope({ id: 'resp_1', object: 'response', status: 'failed', error: { code: 'server_error', message: 'x' } }), null)
  t.equal(findEnvelope({ object: 'fine_tuning.job', id: 'ftjob-1', status: 'failed', error: { code: 'invalid_training_file', message: 'bad', param: 'training_file' } }), null)
  t.equal(findEnvelope({ choices: [], error: 'x' }), null)
  t.equal(findEnvelope({ error: {} }), null, 'an empty error object says nothing')
  t.equal(findEnvelope({ error: null }), null)
  t.equal(findEnvelope({ error: { param: 'x' } }), null, 'a param alone is not an error')
  t.equal(findEnvelope({ error: 42 }), null)
})

t.test('values that are not objects are never envelopes', async (t) => {
  for (const value of [null, undefined, 0, 'error', true, [] as unknown]) t.equal(findEnvelope(value), null)
})

t.test('a bare message body (Bedrock) is a weak envelope; other keys beside it are a success', async (t) => {
  t.match(findEnvelope({ message: 'Input is too long for requested model.' }), { shape: 'message', weak: true })
  t.match(findEnvelope({ Message: 'User is not authorized', __type: 'AccessDeniedException' }), { shape: 'message', weak: true })
  t.equal(findEnvelope({ message: 'pong', time: 1 }), null)
  t.equal(findEnvelope({ message: '' }), null)
  t.equal(findEnvelope({ message: { role: 'assistant' } }), null, 'an Ollama chat message object is not an error')
})

t.test('"None" (a Python repr) is no value', async (t) => {
  t.match(findEnvelope({ error: { message: 'x', type: 'None', param: 'None' } }), { type: undefined, param: null })
})

t.test('statusHint accepts only HTTP error statuses', async (t) => {
  t.equal(statusHint(429), 429)
  t.equal(statusHint('429'), 429)
  t.equal(statusHint(599), 599)
  t.equal(statusHint(400), 400)
  for (const bad of ['1300', 1300, 999, -1, '429abc', 429.5, 399, '200', 200, 600, '4290', NaN, null, undefined, {}]) {
    t.equal(statusHint(bad), undefined, `rejects ${JSON.stringify(bad)}`)
  }
})

t.test('__proto__ keys in a parsed body are data, not a prototype', async (t) => {
  const body = JSON.parse('{"__proto__":{"error":{"message":"x"}},"error":{"message":"real","type":"t"}}')
  t.match(findEnvelope(body), { message: 'real', type: 't' })
  t.equal(findEnvelope(JSON.parse('{"__proto__":{"error":"x"}}')), null)
})
