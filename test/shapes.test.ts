import t from 'tap'
import { findEnvelope, isResource } from '../lib/core/extract'
import { classify } from '../lib/core/classify'
import { appWith, echoRoute } from './helpers/app'

// Error envelopes the detector once missed, and the resources and app bodies that must stay what they are.

t.test('an id, request_id or created beside an error object, with nothing of a resource, is an error envelope', async (t) => {
  t.match(findEnvelope({ id: 'okkMQHz', error: { message: 'Unable to access model', type: 'invalid_request_error', code: 'model_not_available' } }), { shape: 'openai', code: 'model_not_available' })
  t.match(findEnvelope({ id: 'x', created: 1700000000, request_id: 'r', error: { message: 'boom' } }), { message: 'boom' })
  t.match(findEnvelope({ id: '8bd5b608', message: "model 'nonexistent' not found, make sure the correct model ID was used" }), { shape: 'message', weak: true })
})

t.test('{"success": false, "errors": [...]} and {"errors": [...]} with no data are envelopes; the first error speaks', async (t) => {
  t.match(findEnvelope({ result: null, success: false, errors: [{ code: 7003, message: 'Could not route' }], messages: [] }), { shape: 'errors', code: 7003, message: 'Could not route' })
  t.match(findEnvelope({ errors: [{ code: 'authentication_token_expired', message: 'Failed to authenticate' }], trace: 't', status_code: 401 }), { hint: 401, hintStrong: true })
  t.match(findEnvelope({ errors: ['plain message'] }), { message: 'plain message' })
  t.equal(findEnvelope({ result: { id: 1 }, success: true, errors: [], messages: [] }), null, 'Cloudflare success')
  t.equal(findEnvelope({ errors: [] }), null)
  t.equal(findEnvelope({ errors: [42] }), null)
  t.equal(findEnvelope({ errors: [{ foo: 1 }] }), null, 'an error that says nothing')
  t.equal(findEnvelope({ data: [{ id: 1 }], errors: [{ message: 'partial' }] }), null, 'data beside errors is a resource')
})

t.test('a message in a string error beside a code is read with the code', async (t) => {
  t.match(findEnvelope({ error: 'Invalid API-key provided.', code: 'InvalidApiKey' }), { shape: 'string', code: 'InvalidApiKey' })
  t.match(classify({ error: 'Invalid API-key provided.', code: 'InvalidApiKey' }), { status: 401 })
  t.match(findEnvelope({ error: ['Error in `inputs`: field required', 'second'] }), { message: 'Error in `inputs`: field required; second' })
  t.equal(findEnvelope({ error: [1, 2] }), null)
})

t.test('code-and-message bodies are envelopes unless their code means success', async (t) => {
  t.match(findEnvelope({ code: 'InvalidApiKey', message: 'Invalid API-key provided.', request_id: 'r' }), { shape: 'code', code: 'InvalidApiKey' })
  t.match(findEnvelope({ error_code: 'INVALID_PARAMETER_VALUE', message: 'bad size' }), { code: 'INVALID_PARAMETER_VALUE' })
  t.match(findEnvelope({ error_msg: 'missing messages' }), { message: 'missing messages' })
  t.match(findEnvelope({ code: 'NOT_FOUND', message: 'x' }), { statusName: 'NOT_FOUND' })
  for (const code of [0, '0', 200, 'success', 'OK']) {
    t.equal(findEnvelope({ code, message: 'success', data: null }), null, `code ${JSON.stringify(code)} is success`)
  }
  t.equal(findEnvelope({ code: 'x' }), null, 'no message')
  t.equal(findEnvelope({ message: 'hello', data: { id: 1 } }), null, 'data holds something')
})

t.test("an app's own bodies stay as they are: code 0 inside error, a health check, a failed job", async (t) => {
  t.equal(findEnvelope({ error: { code: 0, message: 'success' } }), null)
  t.equal(findEnvelope({ error: { code: '0', message: 'ok' } }), null)
  t.equal(findEnvelope({ status: 'degraded', error: 'redis timeout' }), null)
  t.equal(findEnvelope({ id: 'ftjob-1', object: 'fine_tuning.job', status: 'failed', error: { code: 'invalid_training_file', message: 'x' } }), null)
  t.equal(findEnvelope({ id: 'batch_1', status: 'QUEUED', errors: [{ message: 'Example message.' }] }), null)
  t.equal(findEnvelope({ id: 'resp_1', status: 'failed', error: { code: 'server_error', message: 'x' } }), null)
  t.ok(isResource({ type: 'message', error: { message: 'x' } }), 'a typed object carrying an error field')
  t.notOk(isResource({ status: 'failure', error: 'x' }))
  const app = await appWith()
  t.teardown(() => app.close())
  echoRoute(app, '/health', '{"status":"degraded","error":"redis timeout"}', { contentType: 'application/json' })
  echoRoute(app, '/code0', '{"error":{"code":0,"message":"success"}}', { contentType: 'application/json' })
  for (const url of ['/health', '/code0']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 200, url)
  }
})

t.test('problem details, FastAPI details, failure states and typed messages are envelopes', async (t) => {
  t.match(findEnvelope({ title: 'Unauthenticated', detail: 'You did not pass an authentication token', status: 401 }), { shape: 'problem', hint: 401, hintStrong: true })
  t.match(findEnvelope({ status: 429, title: 'Too Many Requests' }), { message: 'Too Many Requests', hint: 429 })
  t.match(findEnvelope({ title: 'Bad thing', detail: 'details' }), { shape: 'problem', hint: undefined })
  t.equal(findEnvelope({ title: 'A song' }), null, 'a title alone is not a problem')
  t.match(findEnvelope({ detail: 'Not Found' }), { shape: 'detail', weak: true })
  t.equal(findEnvelope({ detail: 'x', extra: 1 }), null, 'a detail string among other keys says nothing')
  t.match(findEnvelope({ detail: { msg: 'Server is busy', type: 'service_unavailable' } }), { shape: 'detail', type: 'service_unavailable' })
  t.match(findEnvelope({ detail: [{ loc: ['body', 'model'], msg: 'field required', type: 'missing' }] }), { hint: 422, param: 'body.model', type: 'validation_error' })
  t.equal(findEnvelope({ detail: [] }), null)
  t.match(findEnvelope({ detail: { error: 'Unauthorized', type: 'unauthorized' } }), { message: 'Unauthorized' }, 'an error object whose message is its error string')
  t.match(findEnvelope({ error: { message: { msg: 'inner words' } } }), { message: 'inner words' }, 'a nested object no shape reads is read as an error object')
  t.match(findEnvelope({ status: 'failure', message: 'Invalid provider passed' }), { shape: 'failure' })
  t.match(findEnvelope({ success: false, message: 'Nope' }), { shape: 'failure' })
  t.equal(findEnvelope({ status: 'ok', message: 'fine' }), null)
  t.match(findEnvelope({ message: 'Requests per minute limit exceeded', type: 'too_many_requests_error', param: 'quota', code: 'request_quota_exceeded' }), { type: 'too_many_requests_error', weak: false })
  t.match(findEnvelope({ message: 'Inference failed', type: 'backend' }), { shape: 'flat', weak: true })
  t.equal(findEnvelope({ message: 'hi', type: 'greeting', extra: 1 }), null)
  t.equal(findEnvelope({ message: 'hi', type: 'greeting', param: 'p' }), null, 'a type that names no failure needs the two keys alone')
  t.equal(findEnvelope({ message: 'x', type: 'y'.repeat(101) }), null)
  t.match(findEnvelope({ message: 'Request was rejected due to rate limiting.', data: null }), { shape: 'message' }, 'a key that holds null says nothing')
})
