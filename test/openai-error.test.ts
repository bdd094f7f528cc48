import t, { type Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import type { openaiError as OpenaiError } from '../lib/output/openai-error'
import { buildGateway } from './helpers/gateway'

// lib/index.ts assigns module.exports (the Fastify plugins' CommonJS pattern), so it is required, not imported.
const { openaiError }: { openaiError: typeof OpenaiError } = require('../lib/index')

const JSON_TYPE = 'application/json; charset=utf-8'

/** What a route that throws `error` answers. */
async function thrownBy (t: Test, error: Error): Promise<LightMyRequestResponse> {
  const app = await buildGateway(t)
  app.post('/v1/chat/completions', async () => { throw error })
  const res = await app.inject({ method: 'POST', url: '/v1/chat/completions' })
  t.equal(res.headers['content-type'], JSON_TYPE, 'sent as JSON')
  return res
}

t.test('openaiError(404, model_not_found) is a 404 with that body and the table\'s type', async (t) => {
  const res = await thrownBy(t, openaiError(404, { message: 'The model `gpt-9` does not exist', code: 'model_not_found' }))
  t.equal(res.statusCode, 404)
  t.same(res.json(), {
    error: { message: 'The model `gpt-9` does not exist', type: 'invalid_request_error', param: null, code: 'model_not_found' }
  })
})

t.test('openaiError(429) without a code gets type rate_limit_error', async (t) => {
  const res = await thrownBy(t, openaiError(429, 'Slow down.'))
  t.equal(res.statusCode, 429)
  t.same(res.json(), { error: { message: 'Slow down.', type: 'rate_limit_error', param: null, code: null } })
})

t.test('a type given to openaiError is sent as given', async (t) => {
  const res = await thrownBy(t, openaiError(400, { message: 'Too many tools.', type: 'tool_limit_error', code: 'too_many_tools', param: 'tools' }))
  t.equal(res.statusCode, 400)
  t.same(res.json(), { error: { message: 'Too many tools.', type: 'tool_limit_error', param: 'tools', code: 'too_many_tools' } })
})

t.test('a code the table maps to another status does not lend its type: a 403 model_not_found is a permission_error', async (t) => {
  const res = await thrownBy(t, openaiError(403, { message: 'Your key may not use gpt-9.', code: 'model_not_found' }))
  t.equal(res.statusCode, 403)
  t.same(res.json(), { error: { message: 'Your key may not use gpt-9.', type: 'permission_error', param: null, code: 'model_not_found' } })
})

t.test('a message the table recognises at the same status lends its type', async (t) => {
  // The table calls "model is currently overloaded" a 503 server_error; a bare 503 would be service_unavailable_error.
  const res = await thrownBy(t, openaiError(503, { message: 'That model is currently overloaded with other requests.', expose: true }))
  t.equal(res.statusCode, 503)
  t.same(res.json(), { error: { message: 'That model is currently overloaded with other requests.', type: 'server_error', param: null, code: null } })
})

t.test('an openaiError with an empty message gets the reason phrase and the status\'s type', async (t) => {
  const res = await thrownBy(t, openaiError(409, ''))
  t.equal(res.statusCode, 409)
  t.same(res.json(), { error: { message: 'Conflict', type: 'conflict_error', param: null, code: null } })
})

t.test('a 5xx openaiError hides its message', async (t) => {
  const res = await thrownBy(t, openaiError(503, { message: 'vLLM worker 3 lost its GPU', code: 'engine_down' }))
  t.equal(res.statusCode, 503)
  t.same(res.json(), {
    error: { message: 'The service is temporarily unavailable. Please retry.', type: 'service_unavailable_error', param: null, code: 'engine_down' }
  })
})

t.test('a 5xx openaiError with expose: true shows its message', async (t) => {
  const res = await thrownBy(t, openaiError(503, { message: 'Scheduled maintenance until 12:00 UTC.', expose: true }))
  t.equal(res.statusCode, 503)
  t.same(res.json(), {
    error: { message: 'Scheduled maintenance until 12:00 UTC.', type: 'service_unavailable_error', param: null, code: null }
  })
})

t.test('openaiError returns an http-errors error carrying the OpenAI fields', async (t) => {
  const error = openaiError(404, { message: 'No such model', code: 'model_not_found', param: 'model' })
  t.ok(error instanceof Error)
  t.match(error, { status: 404, statusCode: 404, expose: true, message: 'No such model', openai: { type: 'invalid_request_error', code: 'model_not_found', param: 'model' } })
})

t.test('openaiError names the error like http-errors does and takes only error statuses', async (t) => {
  t.equal(openaiError(404, 'x').name, 'NotFoundError')
  t.equal(openaiError(429, 'x').name, 'TooManyRequestsError')
  t.equal(openaiError(500, 'x').name, 'InternalServerError')
  t.equal(openaiError(599, 'x').name, 'HttpError', 'a status with no reason phrase')
  t.equal(openaiError(500, 'x').expose, false)
  for (const status of [200, 399, 600, 404.5, Number.NaN]) {
    t.throws(() => openaiError(status, 'x'), { name: 'RangeError', message: /status must be an integer from 400 to 599/ }, String(status))
  }
})
