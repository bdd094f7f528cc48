import t from 'tap'
import { classify } from '../lib/classify'
import { defaultRules } from '../lib/rules'

// One real-world body per default rule: the rule named must be the one that decides it.
// Bodies come from provider docs and issue threads (cited in lib/rules.ts).
const examples: Record<string, unknown> = {
  'litellm.no-models-available': { error: { message: 'No models available for selected model_name=totally-nonexistent-model-xyz', type: 'invalid_request_error' } },
  'litellm.no-deployments-available': { error: { message: 'No deployments available for selected model, Try again in 60 seconds. Passed model=gpt-4o', type: 'None' } },
  'litellm.invalid-model-name': { error: { message: "400: {'error': 'Invalid model name passed in'}", type: 'None', param: 'None' } },
  'litellm.budget-exceeded': { error: { message: 'Budget has been exceeded! Current cost: 3.1, Max budget: 2.5', type: 'budget_exceeded', param: null } },
  'litellm.auth': { error: { message: 'Authentication Error, Invalid proxy server token passed.', type: 'token_not_found_in_db', param: 'key' } },
  'litellm.model-access-denied': { error: { message: 'key not allowed to access model. This key can only access models=[gpt-4o]', type: 'key_model_access_denied', param: 'model' } },
  'openai.model-not-found': { error: { message: 'The model `gpt-5-turbo` does not exist or you do not have access to it.', type: 'invalid_request_error', param: null, code: 'model_not_found' } },
  'openai.invalid-api-key': { error: { message: 'Incorrect API key provided: sk-abc***.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } },
  'openai.insufficient-quota': { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } },
  'openai.insufficient-quota-type': { error: { message: 'You exceeded your current quota.', type: 'insufficient_quota' } },
  'openai.rate-limit': { error: { message: 'Rate limit reached for gpt-4o in organization org-x on requests per min (RPM): Limit 3, Used 3, Requested 1.', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
  'openai.context-length': { error: { message: "This model's maximum context length is 4097 tokens.", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } },
  'azure.content-filter': { error: { message: 'The response was filtered due to the prompt triggering Azure OpenAI’s content management policy.', type: null, param: 'prompt', code: 'content_filter' } },
  'openai.unsupported-region': { error: { message: 'Country, region, or territory not supported', type: 'request_forbidden', param: null, code: 'unsupported_country_region_territory' } },
  'openai.model-overloaded': { error: { message: 'That model is currently overloaded with other requests. You can retry your request.', type: 'server_error', param: null, code: null } },
  'openai.server-error': { error: { message: 'The server had an error processing your request. Sorry about that!', type: 'server_error', param: null, code: null } },
  'anthropic.overloaded': { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
  'anthropic.request-too-large': { type: 'error', error: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' } },
  'anthropic.billing': { type: 'error', error: { type: 'billing_error', message: 'Your credit balance is too low to access the Anthropic API.' } },
  'anthropic.api-error': { type: 'error', error: { type: 'api_error', message: 'Internal server error' } },
  'anthropic.timeout': { type: 'error', error: { type: 'timeout_error', message: 'Request timed out' } },
  'google.resource-exhausted': { error: { message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } },
  'google.unauthenticated': { error: { message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } },
  'google.permission-denied': { error: { message: 'The caller does not have permission', status: 'PERMISSION_DENIED' } },
  'google.not-found': { error: { message: 'models/gemini-9 is not found for API version v1beta', status: 'NOT_FOUND' } },
  'google.conflict': { error: { message: 'The resource already exists.', status: 'ALREADY_EXISTS' } },
  'google.cancelled': { error: { message: 'The operation was cancelled.', status: 'CANCELLED' } },
  'google.unimplemented': { error: { message: 'Method not implemented.', status: 'UNIMPLEMENTED' } },
  'google.unavailable': { error: { message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } },
  'google.deadline-exceeded': { error: { message: 'The request deadline was exceeded.', status: 'DEADLINE_EXCEEDED' } },
  'google.internal': { error: { message: 'An internal error has occurred.', status: 'INTERNAL' } },
  'google.api-key-invalid': { error: { message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } },
  'google.invalid-argument': { error: { message: 'Invalid JSON payload received. Unknown name "foo".', status: 'INVALID_ARGUMENT' } },
  'mistral.rate-limited': { object: 'error', message: 'Rate limit exceeded', type: 'rate_limited', param: null, code: '1300' },
  'groq.model-decommissioned': { error: { message: 'The model `llama3-70b-8192` has been decommissioned and is no longer supported.', type: 'invalid_request_error', code: 'model_decommissioned' } },
  'tgi.overloaded': { error: 'Model is overloaded', error_type: 'overloaded' },
  'tgi.validation': { error: 'Input validation error: `inputs` must have less than 4096 tokens.', error_type: 'validation' },
  'tgi.generation': { error: 'Request failed during generation: Server error: CUDA out of memory.', error_type: 'generation' },
  'tgi.incomplete-generation': { error: 'Incomplete generation', error_type: 'incomplete_generation' },
  'llamacpp.exceed-context': { error: { message: 'the request exceeds the available context size', type: 'exceed_context_size_error', n_prompt_tokens: 14429, n_ctx: 8192 } },
  'llamacpp.unavailable': { error: { message: 'Loading model', type: 'unavailable_error' } },
  'llamacpp.not-supported': { error: { message: 'This server does not support embeddings.', type: 'not_supported_error' } },
  'vllm.not-found': { object: 'error', message: 'The model `Qwen` is gone.', type: 'NotFoundError', param: null },
  'vllm.bad-request': { object: 'error', message: 'max_tokens must be at least 1, got 0.', type: 'BadRequestError', param: null },
  'vllm.internal': { object: 'error', message: 'Engine crashed.', type: 'InternalServerError', param: null },
  'vllm.unavailable': { object: 'error', message: 'Engine is starting.', type: 'ServiceUnavailableError', param: null },
  'ollama.server-busy': { error: 'server busy, please try again.  maximum pending requests exceeded' },
  'openrouter.insufficient-credits': { error: { message: 'Insufficient credits. Add more using https://openrouter.ai/credits' } },
  'bedrock.throttling': { message: 'Too many tokens, please wait before trying again.' },
  'type.authentication': { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } },
  'type.permission': { type: 'error', error: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' } },
  'type.not-found': { type: 'error', error: { type: 'not_found_error', message: 'The requested resource could not be found.' } },
  'type.rate-limit': { type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute limit.' } },
  'any.model-not-found': { error: 'model "llama2" not found, try pulling it first' },
  'any.context-length': { message: 'The model returned the following errors: Input is too long for requested model.' },
  'any.content-filter': { error: { message: 'Your request was rejected as a result of our safety system.' } },
  'any.quota': { error: { message: 'Quota exceeded for quota metric Generate Content API requests per minute.' } },
  'any.rate-limit': { error: { message: 'Rate limit is exceeded. Try again in 2 seconds.' } },
  'any.auth': { error: { message: 'Unauthorized' } },
  'any.permission': { error: { message: 'Permission denied: project has no access.' } },
  'any.timeout': { error: { message: 'Upstream request timed out after 600s' } },
  'any.overloaded': { error: { message: 'The model is overloaded. Please try again later.' } },
  'type.invalid-request': { error: { message: "'messages' is a required property", type: 'invalid_request_error', param: null, code: null } }
}

t.test('every default rule has a name of its own and a status from 400 to 599', async (t) => {
  const names = defaultRules.map((rule) => rule.name)
  t.equal(new Set(names).size, names.length, 'names are unique')
  for (const rule of defaultRules) {
    t.ok(Number.isInteger(rule.status) && rule.status >= 400 && rule.status <= 599, `${rule.name}: ${rule.status}`)
  }
})

t.test('every default rule decides the real body it was written for', async (t) => {
  for (const rule of defaultRules) {
    const body = examples[rule.name]
    t.ok(body !== undefined, `${rule.name} has an example body`)
    if (body === undefined) continue
    const decision = classify(body)
    t.equal(decision?.rule, rule.name, `${rule.name} decides`)
    t.equal(decision?.status, rule.status, `${rule.name} -> ${rule.status}`)
  }
  t.same(Object.keys(examples).filter((name) => !defaultRules.some((rule) => rule.name === name)), [], 'no example names a rule that does not exist')
})

t.test('the default table is frozen: users extend it through options, not by mutation', async (t) => {
  t.ok(Object.isFrozen(defaultRules))
  t.ok(defaultRules.every((rule) => Object.isFrozen(rule)))
})

t.test('the issue\'s status families hold for their wordings', async (t) => {
  const cases: Array<[string, number]> = [
    ['No models available for selected model', 404],
    ['The deployment for this resource does not exist.', 404],
    ['You exceeded your current quota', 429],
    ['Too many requests, slow down', 429],
    ['prompt is too long: 200251 tokens > 200000 maximum', 400],
    ['Your request was flagged by our content filter', 400],
    ['Invalid API key', 401],
    ['Access denied for this project', 403],
    ['Service Unavailable', 503],
    ['Deadline exceeded while waiting for the model', 504]
  ]
  for (const [message, status] of cases) {
    t.equal(classify({ error: { message } })?.status, status, message)
  }
})

t.test('wordings match on word boundaries, not inside other words', async (t) => {
  // "unauthorized" inside "nonunauthorizedx" or "timeout" inside "timeouts_total" must not decide
  t.equal(classify({ error: { message: 'counter nonunauthorizedx incremented' } })?.rule, 'fallback')
  t.equal(classify({ error: { message: 'metric timeouts_total is high' } })?.rule, 'fallback')
  t.equal(classify({ error: { message: 'ratelimiter' } })?.rule, 'fallback')
})
