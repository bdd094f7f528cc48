import t from 'tap'
import { classify } from '../lib/core/table'
import { defaultRules } from '../lib/packs'

// One real-world body per default rule: the rule named must be the one that decides it.
// Bodies come from provider docs and issue threads (cited in the packs, lib/packs/).
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
  'openai.responses-model-not-found': { error: { code: 'model_not_found', message: "The requested model 'gpt-5.2-proo' does not exist.", param: 'model', type: 'invalid_request_error' } },
  'openai.model-no-access': { error: { message: 'Project `proj_QRf115YMnQwMUdTI9cu2sWQ8` does not have access to model `gpt-4o-mini`', type: 'invalid_request_error', param: null, code: 'model_not_found' } },
  'azure.deployment-not-found': { error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.' } },
  'anthropic.request-size': { type: 'error', error: { type: 'invalid_request_error', message: 'Request size exceeds model context window' } },
  'anthropic.credit-balance': { type: 'error', error: { type: 'invalid_request_error', message: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.' } },
  'mistral.invalid-model': { object: 'error', message: 'Invalid model: API', type: 'invalid_model', param: null, code: '1500' },
  'groq.request-too-large': { error: { message: 'Request too large for model `llama-3.3-70b-versatile` in organization `org_01` service tier `on_demand` on tokens per minute (TPM): Limit 12000, Requested 22545, please reduce your message size and try again.', type: 'tokens', code: 'rate_limit_exceeded' } },
  'groq.tool-use-failed': { error: { code: 'tool_use_failed', failed_generation: 'maybe', message: 'Tool choice is required, but model did not call a tool', type: 'invalid_request_error' } },
  'tgi.unhealthy': { error: 'unhealthy', error_type: 'healthcheck' },
  'tei.empty': { error: 'Batch is empty', error_type: 'empty' },
  'tei.backend': { message: 'Inference failed', type: 'backend' },
  'hf.template-error': { error: 'Template error: undefined value (in <string>:1)', error_type: 'template_error' },
  'bedrock.malformed-input': { message: 'The model returned the following errors: Malformed input request: #/messages/2/content/0: extraneous key [video] is not permitted, please reformat your input and try again.' },
  'aws.missing-authentication-token': { message: 'Missing Authentication Token' },
  'aws.not-authorized': { Message: 'User: arn:aws:iam::123:user/proxy is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/x' },
  'zhipu.auth': { error: { code: '1003', message: 'Authorization Token已过期，请重新生成/获取。' } },
  'zhipu.balance': { error: { code: '1113', message: '余额不足或无可用资源包,请充值。' } },
  'zhipu.balance-wording': { error: { message: 'Insufficient balance or no resource package. Please recharge.', type: 'AI_APICallError' } },
  'zhipu.model-not-found': { type: 'error', error: { type: 'invalid_request_error', code: '1211', message: '[1211][模型不存在，请检查模型代码。]' } },
  'zhipu.content-filter': { error: { code: '1301', message: '系统检测到输入或生成内容可能包含不安全或敏感内容' } },
  'zhipu.rate-limit': { error: { code: '1302', message: 'Rate limit reached for requests' } },
  'moonshot.exceeded-quota': { error: { message: 'Your account is not active, organization exceeded current quota, please check your plan and billing details', type: 'exceeded_current_quota_error' } },
  'siliconflow.model-not-found': { code: 20012, message: 'Model does not exist. Please check it carefully.', data: null },
  'gigachat.scope': { code: 5, message: 'scope is empty' },
  'one-api.no-channel': { error: { message: '当前分组 default 下对于模型  无可用渠道 (request id: 2025121521151664761470129816750)', type: 'one_api_error' } },
  'fastchat.error-code': { object: 'error', message: 'Only  allowed now, your model Azure-OpenAI', code: 40301 },
  'koboldcpp.bad-input': { detail: { msg: 'Error parsing input.', type: 'bad_input' } },
  'localai.model-loading': { error: { message: 'model Qwen3 is staging on node nvidia-thor (41%, ETA ~11m)', type: 'model_loading' } },
  'github-models.tokens-limit': { error: { code: 'tokens_limit_reached', message: 'Request body too large for gpt-4o model. Max size: 8000 tokens.' } },
  'github-models.unknown-model': { error: { code: 'unknown_model', message: 'Unknown model: thisdoesnotexist', details: null } },
  'cloudflare.could-not-route': { result: null, success: false, errors: [{ code: 7003, message: 'Could not route to /client/v4/accounts/x/ai/run/@cf/meta/llama, perhaps your object identifier is invalid?' }], messages: [] },
  'kong.template': { error: { message: 'this LLM route only supports templated requests' } },
  'apisix.prompt-guard': { message: 'Request contains prohibited content' },
  'tensorzero.all-variants-failed': { error: 'All variants failed with errors: dummy::error: Error forwarding request in relay mode' },
  'type.payment-required': { message: 'Payment required to access this resource. Visit your billing tab.', type: 'payment_required_error', param: 'quota', code: 'payment_required' },
  'type.unavailable': { detail: { msg: 'Server is busy; please try again later.', type: 'service_unavailable' } },
  'type.content-filter': { error: { type: 'content_filter', message: 'The request was rejected because it was considered high risk' } },
  'code.authentication': { error: { code: 'unauthorized', message: 'Resource not accessible by integration' } },
  'code.invalid-parameter': { error_code: 'INVALID_PARAMETER_VALUE', message: "Workload type 'GPU_MEDIUM' with size 'Small' is unavailable in this workspace." },
  'code.model-not-supported': { errors: [{ code: 'model_not_supported', message: "Model 'ibm/granite' is not supported" }], trace: 't1' },
  'any.balance': { error: { message: 'Insufficient Balance', type: 'unknown_error', param: null, code: 'invalid_request_error' } },
  'any.too-large': { error: { message: 'Payload Too Large' } },
  'any.model-loading': { error: 'Model mistralai/Mistral-7B-Instruct-v0.2 is currently loading', estimated_time: 20 },
  'any.not-found': { detail: 'Not Found' },
  'any.resource-not-found': { message: 'File not found: file-0001' },
  'any.invalid-request': { error: { message: 'registry.ollama.ai/library/gemma3:4b does not support tools', type: 'api_error', param: null, code: null } },
  'any.no-backend': { error: { message: 'no available Grok account', type: 'server_error', param: '', code: 'upstream_error' } },
  'any.conflict': { error: 'You already created this space repo', url: 'https://huggingface.co/spaces/user/tmp_test_space' },
  'cloudflare.no-route': { success: false, errors: [{ code: 7000, message: 'No route for that URI' }], messages: [], result: null },
  'lmstudio.no-models-loaded': { error: "No models loaded. Please load a model in the developer page or use the 'lms load' command." },
  'minimax.insufficient-balance': { type: 'error', error: { type: 'api_error', message: 'insufficient balance (1008)' }, request_id: '05997465cd2ee4bd50b24b216c911b75' },
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

// For every default rule, a body that looks close and must not be decided by it: the guard against a rule that
// reads too much (a type spelt alike, the same words in another sense, the same code from another provider).
const contrasts: Record<string, unknown> = {
  'litellm.no-models-available': { error: { message: 'Models available: gpt-4o, claude', type: 'invalid_request_error' } },
  'litellm.no-deployments-available': { error: { message: 'Deployments available: 3 healthy', type: 'None' } },
  'litellm.invalid-model-name': { error: { message: 'Invalid model parameters passed in', type: 'None' } },
  'litellm.budget-exceeded': { error: { message: 'Budget has been exceeded', type: 'budget_warning' } },
  'litellm.auth': { error: { message: 'x', type: 'auth_error_log' } },
  'litellm.model-access-denied': { error: { message: 'x', type: 'key_model_access_granted' } },
  'openai.model-not-found': { error: { message: 'The model is busy', code: 'model_busy' } },
  'openai.responses-model-not-found': { error: { code: 'model_not_found', message: 'The model `gpt-9` does not exist or you do not have access to it.' } },
  'openai.model-no-access': { error: { code: 'model_not_found', message: 'The model `gpt-9` does not exist.' } },
  'openai.invalid-api-key': { error: { message: 'x', code: 'invalid_api_version' } },
  'openai.insufficient-quota': { error: { message: 'x', code: 'quota_ok' } },
  'openai.insufficient-quota-type': { error: { message: 'x', type: 'sufficient_quota' } },
  'openai.rate-limit': { error: { message: 'x', code: 'rate_limit_warning' } },
  'openai.context-length': { error: { message: 'x', code: 'context_length_ok' } },
  'openai.unsupported-region': { error: { message: 'x', code: 'unsupported_country' } },
  'openai.model-overloaded': { error: { message: 'That model was overloaded yesterday', type: 'server_error' } },
  'openai.server-error': { error: { message: 'Rate limit reached for requests', type: 'server_error' } },
  'azure.deployment-not-found': { error: { code: 'DeploymentFound', message: 'x' } },
  'azure.content-filter': { error: { message: 'x', code: 'content_filtered_ok' } },
  'anthropic.overloaded': { error: 'Model is overloaded', error_type: 'overloaded_error' },
  'anthropic.request-too-large': { type: 'error', error: { type: 'request_too_small', message: 'x' } },
  'anthropic.request-size': { type: 'error', error: { type: 'invalid_request_error', message: 'Request size is fine' } },
  'anthropic.billing': { type: 'error', error: { type: 'billing_info', message: 'x' } },
  'anthropic.credit-balance': { type: 'error', error: { type: 'billing_error', message: 'Your credit balance is too low' } },
  'anthropic.api-error': { type: 'error', error: { type: 'api_error', message: 'Overloaded, try again later' } },
  'anthropic.timeout': { type: 'error', error: { type: 'timeout_warning', message: 'x' } },
  'google.resource-exhausted': { error: { message: 'x', status: 'RESOURCE_AVAILABLE' } },
  'google.unauthenticated': { error: { message: 'x', status: 'AUTHENTICATED' } },
  'google.permission-denied': { error: { message: 'x', status: 'PERMISSION_GRANTED' } },
  'google.not-found': { error: { message: 'x', status: 'FOUND' } },
  'google.conflict': { error: { message: 'x', status: 'EXISTS' } },
  'google.cancelled': { error: { message: 'x', status: 'CANCELLING' } },
  'google.unimplemented': { error: { message: 'x', status: 'IMPLEMENTED' } },
  'google.unavailable': { error: { message: 'x', status: 'AVAILABLE' } },
  'google.deadline-exceeded': { error: { message: 'x', status: 'DEADLINE_MET' } },
  'google.internal': { error: { message: 'x', status: 'EXTERNAL' } },
  'google.api-key-invalid': { error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } },
  'google.invalid-argument': { error: { message: 'x', status: 'VALID_ARGUMENT' } },
  'mistral.rate-limited': { object: 'error', message: 'x', type: 'rate_limiter_ok', code: '1300' },
  'mistral.invalid-model': { object: 'error', message: 'x', type: 'invalid_model_version_ok' },
  'groq.model-decommissioned': { error: { message: 'x', code: 'model_commissioned' } },
  'groq.request-too-large': { error: { message: 'Rate limit reached for model on tokens per minute', code: 'rate_limit_exceeded' } },
  'groq.tool-use-failed': { error: { code: 'tool_use_succeeded', message: 'x' } },
  'tgi.overloaded': { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
  'tgi.validation': { error: 'x', error_type: 'validated' },
  'tgi.generation': { error: 'x', error_type: 'generation_ok' },
  'tgi.incomplete-generation': { error: 'x', error_type: 'complete_generation' },
  'tgi.unhealthy': { error: 'x', error_type: 'healthy' },
  'tei.empty': { error: 'x', error_type: 'not_empty' },
  'tei.backend': { message: 'x', type: 'frontend' },
  'hf.template-error': { error: 'x', error_type: 'template_warning' },
  'llamacpp.exceed-context': { error: { message: 'x', type: 'within_context_size_error' } },
  'llamacpp.unavailable': { error: { message: 'x', type: 'available_error' } },
  'llamacpp.not-supported': { error: { message: 'x', type: 'supported_error' } },
  'vllm.not-found': { error: { type: 'not_found_error', message: 'x' }, type: 'error' },
  'vllm.bad-request': { object: 'error', message: 'x', type: 'BadRequestWarning' },
  'vllm.internal': { object: 'error', message: 'x', type: 'InternalServer' },
  'vllm.unavailable': { object: 'error', message: 'x', type: 'ServiceAvailableError' },
  'ollama.server-busy': { error: 'the server was busy earlier' },
  'openrouter.insufficient-credits': { error: { message: 'Sufficient credits remain' } },
  'bedrock.throttling': { message: 'Too many tokens in the prompt for this model' },
  'bedrock.malformed-input': { message: 'Well-formed input request received' },
  'aws.missing-authentication-token': { message: 'Missing Authentication Token for the second time today' },
  'aws.not-authorized': { message: 'User is authorized to perform this action' },
  'zhipu.auth': { error: { code: '1005', message: 'x' } },
  'zhipu.balance': { error: { code: '11130', message: 'x' } },
  'zhipu.balance-wording': { error: { message: 'A resource package was bought' } },
  'zhipu.model-not-found': { error: { code: '12110', message: 'x' } },
  'zhipu.content-filter': { error: { code: '13010', message: 'x' } },
  'zhipu.rate-limit': { error: { code: '1304', message: 'x' } },
  'moonshot.exceeded-quota': { error: { message: 'x', type: 'current_quota_error' } },
  'siliconflow.model-not-found': { code: 20013, message: 'x', data: null },
  'gigachat.scope': { code: 5, message: 'model is busy' },
  'one-api.no-channel': { error: { message: 'channel available', type: 'one_api_error' } },
  'fastchat.error-code': { object: 'error', message: 'x', code: 40302.5 },
  'koboldcpp.bad-input': { detail: { msg: 'x', type: 'good_input' } },
  'localai.model-loading': { error: { message: 'x', type: 'model_loaded' } },
  'github-models.tokens-limit': { error: { code: 'tokens_limit_ok', message: 'x' } },
  'github-models.unknown-model': { error: { code: 'known_model', message: 'x' } },
  'cloudflare.could-not-route': { result: null, success: false, errors: [{ code: 7004, message: 'x' }] },
  'kong.template': { error: { message: 'this LLM route supports every request' } },
  'apisix.prompt-guard': { message: 'Request contains no prohibited words' },
  'tensorzero.all-variants-failed': { error: 'One variant failed; the others answered' },
  'type.authentication': { error: { message: 'x', type: 'authentication_ok' } },
  'type.permission': { error: { message: 'x', type: 'permission_granted' } },
  'type.not-found': { error: { message: 'x', type: 'found' } },
  'type.rate-limit': { error: { message: 'x', type: 'rate_limit_info' } },
  'type.payment-required': { error: { message: 'x', type: 'payment_received' } },
  'type.unavailable': { error: { message: 'x', type: 'available' } },
  'type.content-filter': { error: { message: 'x', type: 'content_filter_passed' } },
  'code.authentication': { error: { code: 'authorized', message: 'x' } },
  'code.invalid-parameter': { error: { code: 'valid_parameter', message: 'x' } },
  'code.model-not-supported': { error: { code: 'model_supported', message: 'x' } },
  'any.model-not-found': { error: { message: 'The model was found and loaded' } },
  'any.context-length': { error: { message: 'The context was short enough' } },
  'any.content-filter': { error: { message: 'Content was fine' } },
  'any.quota': { error: { message: 'Your quota is fine' } },
  'any.rate-limit': { error: { message: 'ratelimiter warmed up' } },
  'any.balance': { error: { message: 'Your balance is sufficient' } },
  'any.too-large': { error: { message: 'Request too small to be useful' } },
  'any.model-loading': { error: { message: 'The model loaded in 3 seconds' } },
  'any.not-found': { detail: 'Not Found yet, still searching the index' },
  'any.resource-not-found': { error: { message: 'file found' } },
  'any.auth': { error: { message: 'authorized' } },
  'any.overloaded': { error: { message: 'the queue is empty' } },
  'any.permission': { error: { message: 'permission granted' } },
  'any.invalid-request': { error: { message: 'everything was supported and valid' } },
  'any.no-backend': { error: { message: 'the available account was used' } },
  'any.conflict': { error: { message: 'It was created already, yesterday' } },
  'cloudflare.no-route': { success: false, errors: [{ code: 70000, message: 'x' }] },
  'lmstudio.no-models-loaded': { error: 'Models loaded: 2' },
  'minimax.insufficient-balance': { type: 'error', error: { type: 'api_error', message: 'insufficient balance (1009)' } },
  'type.invalid-request': { error: { message: 'x', type: 'valid_request' } },
  'any.timeout': { error: { message: 'metric timeouts_total is high' } }
}

t.test('every default rule has a contrast case: a body that looks close and that it does not decide', async (t) => {
  for (const rule of defaultRules) {
    const body = contrasts[rule.name]
    t.ok(body !== undefined, `${rule.name} has a contrast body`)
    if (body === undefined) continue
    t.not(classify(body)?.rule, rule.name, `${rule.name} does not decide its contrast`)
  }
  t.same(Object.keys(contrasts).filter((name) => !defaultRules.some((rule) => rule.name === name)), [], 'no contrast names a rule that does not exist')
})

t.test('every default rule names its provider and a public source', async (t) => {
  for (const rule of defaultRules) {
    t.match(rule, { provider: /^[a-z][a-z0-9.-]*$/, source: /^https:\/\// }, rule.name)
  }
})
