import { definePack } from './pack'

// Evidence no one provider owns: unambiguous types and codes, and wording many providers share (LiteLLM's
// exception_mapping_utils uses the same phrases). Weights say how much each is worth against the packs above:
// specific wording (model not found, balance, too large) beats a generic type; generic wording does not.
const ERRORS = 'https://platform.openai.com/docs/guides/error-codes'
const LITELLM = 'https://github.com/BerriAI/litellm/blob/main/litellm/litellm_core_utils/exception_mapping_utils.py'

export default definePack('generic', [
  // --- types and codes that say what happened, whoever sends them ---
  { name: 'type.authentication', type: ['authentication_error', 'invalid_api_key', 'invalid_authentication_error', 'unauthorized', 'unauthenticated'], status: 401, source: 'https://docs.anthropic.com/en/api/errors' },
  { name: 'type.permission', type: ['permission_error', 'permission_denied', 'forbidden', 'access_denied'], status: 403, source: 'https://docs.anthropic.com/en/api/errors' },
  { name: 'type.not-found', type: ['not_found_error', 'not_found'], status: 404, source: 'https://docs.anthropic.com/en/api/errors' },
  { name: 'type.rate-limit', type: ['rate_limit_error', 'rate_limit_exceeded', 'rate_limit_reached_error', 'requests', 'tokens', 'too_many_requests_error', 'throttling'], status: 429, errorType: 'rate_limit_error', source: ERRORS },
  { name: 'type.payment-required', type: ['payment_required_error', 'insufficient_balance'], status: 402, errorType: 'insufficient_quota', retryable: false, source: 'https://github.com/nminaya/grammar-nazi-bot/issues/967' },
  { name: 'type.unavailable', type: ['service_unavailable', 'unavailable'], status: 503, errorType: 'service_unavailable_error', source: 'https://github.com/LostRuins/koboldcpp/blob/2da346a5ff2cfd1debac59066553d45d098e95a4/koboldcpp.py#L1938' },
  { name: 'type.content-filter', type: ['content_filter', 'content_policy_violation'], status: 400, errorType: 'invalid_request_error', errorCode: 'content_filter', source: 'https://platform.kimi.com/docs/api/errors' },
  { name: 'code.authentication', code: ['unauthorized', 'unauthenticated', 'authentication_failed', 'invalid_token', 'authentication_token_expired'], status: 401, errorType: 'authentication_error', source: 'https://github.com/github/gh-models/issues/35' },
  { name: 'code.invalid-parameter', code: ['invalid_parameter_value', 'invalid_parameter', 'invalid_value', 'bad_request', 'missing_required_parameter'], status: 400, errorType: 'invalid_request_error', weight: 35, source: 'https://github.com/databricks-industry-solutions/hls-llm-doc-qa/issues/9' },
  { name: 'code.model-not-supported', code: 'model_not_supported', status: 404, errorType: 'invalid_request_error', errorCode: 'model_not_found', weight: 45, source: 'https://github.com/i-am-bee/beeai-framework/issues/1179' },

  // --- specific wording: it beats a generic type ---
  { name: 'any.model-not-found', message: /\b(?:model|deployment)\b[^\n]{0,200}?\b(?:does not exist|not found|is not available|was removed|has been removed)/i, status: 404, errorType: 'invalid_request_error', errorCode: 'model_not_found', source: LITELLM },
  { name: 'any.context-length', message: /\b(?:maximum context length|context length|context window|context size|prompt is too long|input is too long|too many tokens|reduce the length of the messages|max_seq_len)\b/i, status: 400, errorType: 'invalid_request_error', errorCode: 'context_length_exceeded', retryable: false, source: LITELLM },
  { name: 'any.content-filter', message: /\b(?:content (?:management |filtering )?polic(?:y|ies)|content filter|safety system)\b/i, status: 400, errorType: 'invalid_request_error', errorCode: 'content_filter', source: LITELLM },
  { name: 'any.quota', message: /\b(?:exceeded your current quota|quota exceeded|resource (?:has been )?exhausted)\b/i, status: 429, errorType: 'rate_limit_error', source: ERRORS },
  { name: 'any.rate-limit', message: /\b(?:rate[\s_-]?limit(?:ed|s|ing)?|too many requests)\b/i, status: 429, errorType: 'rate_limit_error', source: LITELLM },
  // Credits or balance run out: most providers answer 402 (OpenRouter, DeepSeek, Cerebras); the packs say where not.
  { name: 'any.balance', message: /\b(?:insufficient (?:account )?(?:balance|funds|credits?)|(?:credit )?balance is (?:too low|insufficient|not enough)|out of credits|payment required)\b|余额不足/i, status: 402, errorType: 'insufficient_quota', errorCode: 'insufficient_balance', retryable: false, source: 'https://github.com/continuedev/continue/issues/4293' },
  // One request too large for the model or the body limit: a 413, not a rate limit.
  { name: 'any.too-large', message: /\b(?:request entity too large|payload too large|request (?:body )?too large|body too large|request exceeds the maximum (?:allowed )?(?:number of bytes|size))\b/i, status: 413, errorType: 'invalid_request_error', errorCode: 'request_too_large', retryable: false, source: 'https://docs.anthropic.com/en/api/errors' },
  // A model still loading (with an estimated time, or being scaled up) will answer soon: 503.
  { name: 'any.model-loading', message: /\b(?:is currently loading|(?:loading|warming up) (?:the )?model|model is (?:still )?loading|currently scaling)\b/i, status: 503, errorType: 'service_unavailable_error', weight: 55, source: 'https://huggingface.co/vasista22/whisper-telugu-base/discussions/1' },
  { name: 'any.not-found', message: /^(?:not found|404(?: not found)?)\.?$/i, status: 404, errorType: 'not_found_error', source: 'https://fastapi.tiangolo.com/tutorial/handling-errors/' },
  { name: 'any.resource-not-found', message: /\b(?:file|resource|route|path|endpoint|object|url) not found\b/i, status: 404, errorType: 'not_found_error', weight: 45, source: 'https://github.com/mudler/LocalAI/blob/82c191afadf5f005281e798ccfa0ffd0d5805030/docs/content/reference/api-errors.md#L148' },
  { name: 'any.auth', message: /\b(?:(?:invalid|incorrect|missing|no|bad|expired) (?:api[\s_-]?(?:key|token)|x-api-key|auth(?:entication)? token|bearer token|token)|(?:didn't|did not) provide an api key|invalid (?:username or password|credentials)|unauthori[sz]ed|authentication (?:error|failed|required)|token (?:seems|is) invalid)\b/i, status: 401, errorType: 'authentication_error', weight: 45, source: LITELLM },
  // A relay with no channel, account or backend left for the model: 503 (one-api, gpt4free).
  { name: 'any.no-backend', message: /\bno (?:available|healthy) (?:[a-z0-9-]{1,30} )?(?:channels?|accounts?|providers?|endpoints?|backends?|workers?)\b/i, status: 503, errorType: 'service_unavailable_error', weight: 45, source: 'https://github.com/xtekky/gpt4free/issues/3453' },
  { name: 'any.conflict', message: /\b(?:already exists|already created|already in use)\b/i, status: 409, errorType: 'conflict_error', weight: 45, source: 'https://github.com/huggingface/huggingface_hub/blob/ee0a4510f4bc15e26cb722be2efc2bdb01383ca0/tests/cassettes/TestSpaceAPIProduction.test_manage_secrets.yaml#L57' },
  { name: 'any.overloaded', message: /\b(?:overloaded|service unavailable|temporarily unavailable|server is busy|try again later)\b/i, status: 503, errorType: 'service_unavailable_error', weight: 45, source: LITELLM },
  { name: 'any.permission', message: /\b(?:permission denied|access denied|forbidden|not permitted|(?:insufficient|not have sufficient) permissions?|not allowed to access)\b/i, status: 403, errorType: 'permission_error', weight: 40, source: LITELLM },
  // A feature not supported, a field that must be, is invalid or is required: the client's to fix.
  { name: 'any.invalid-request', message: /\b(?:not supported|does not support|doesn't support|unsupported|must be|must not be|is required|are required|field required|is invalid|is not valid|invalid (?:value|parameter|argument|input|json|request body)|missing (?:required )?(?:field|parameter|argument|property)|less than the minimum|greater than the maximum)\b/i, status: 400, errorType: 'invalid_request_error', weight: 40, source: LITELLM },
  // --- generic types and wording: they decide only when nothing more specific is known ---
  { name: 'type.invalid-request', type: ['invalid_request_error', 'invalid_request', 'validation_error', 'bad_request_error'], status: 400, weight: 30, source: ERRORS },
  { name: 'any.timeout', message: /\b(?:timed out|timeout|time out|deadline exceeded)\b/i, status: 504, errorType: 'timeout_error', weight: 25, source: LITELLM }
])
