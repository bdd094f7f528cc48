import type { Rule } from './types'

// The default mapping table. Order matters: the first rule that matches decides, so specific codes and
// messages come before the broad type and wording rules at the end. User rules run before all of these,
// and a valid HTTP status claimed by the body itself (`code: 429`, `"429"`, `statusCode`) runs between
// user rules and this table. Message patterns are bounded (no nested quantifiers) and see only a prefix
// of the message (`maxMessageChars`). `retryable: false` marks errors that waiting cannot fix (quota, credits,
// budget, context length): clients get `x-should-retry: false`.

const lit = (rules: Rule[]): readonly Rule[] => Object.freeze(rules.map((rule) => Object.freeze(rule)))

export const defaultRules: readonly Rule[] = lit([
  // --- LiteLLM proxy ---
  // BerriAI/litellm#27030: unknown model answered 200 {"error":{"message":"No models available...","type":"invalid_request_error"}}
  { name: 'litellm.no-models-available', message: /\bno models available\b/i, status: 404, errorType: 'invalid_request_error', errorCode: 'model_not_found' },
  // BerriAI/litellm#2493: router cooldown ("No deployments available for selected model, Try again in 60 seconds") is a 429
  { name: 'litellm.no-deployments-available', message: /\bno (?:healthy )?deployments? (?:available|for this model)\b/i, status: 429, errorType: 'rate_limit_error' },
  // BerriAI/litellm#2931: v1.34 unknown model "400: {'error': 'Invalid model name passed in'}"
  { name: 'litellm.invalid-model-name', message: /\binvalid model name\b/i, status: 404, errorType: 'invalid_request_error', errorCode: 'model_not_found' },
  // LiteLLM ProxyErrorTypes: budget_exceeded is a 429 since BudgetExceededError got status_code=429
  { name: 'litellm.budget-exceeded', type: 'budget_exceeded', status: 429, errorType: 'budget_exceeded', retryable: false },
  // LiteLLM ProxyErrorTypes for virtual keys
  { name: 'litellm.auth', type: ['auth_error', 'expired_key', 'token_not_found_in_db'], status: 401, errorType: 'authentication_error' },
  { name: 'litellm.model-access-denied', type: ['key_model_access_denied', 'team_model_access_denied', 'user_model_access_denied'], status: 403, errorType: 'permission_error' },

  // --- OpenAI and Azure OpenAI (platform.openai.com/docs/guides/error-codes) ---
  { name: 'openai.model-not-found', code: ['model_not_found', 'DeploymentNotFound'], status: 404, errorType: 'invalid_request_error' },
  { name: 'openai.invalid-api-key', code: ['invalid_api_key', 'invalid_authentication'], status: 401, errorType: 'invalid_request_error' },
  { name: 'openai.insufficient-quota', code: 'insufficient_quota', status: 429, errorType: 'insufficient_quota', retryable: false },
  { name: 'openai.insufficient-quota-type', type: 'insufficient_quota', status: 429, errorType: 'insufficient_quota', errorCode: 'insufficient_quota', retryable: false },
  { name: 'openai.rate-limit', code: ['rate_limit_exceeded', 'rate_limit_error'], status: 429, errorType: 'rate_limit_error' },
  { name: 'openai.context-length', code: ['context_length_exceeded', 'string_above_max_length'], status: 400, errorType: 'invalid_request_error', retryable: false },
  // Azure content filter: code content_filter, type null (openai/openai-python#331)
  { name: 'azure.content-filter', code: ['content_filter', 'content_policy_violation', 'ResponsibleAIPolicyViolation'], status: 400, errorType: 'invalid_request_error' },
  { name: 'openai.unsupported-region', code: 'unsupported_country_region_territory', status: 403, errorType: 'permission_error' },
  // "The server had an error processing your request" / "That model is currently overloaded with other requests"
  { name: 'openai.model-overloaded', message: /\b(?:model|engine) is currently overloaded\b/i, status: 503, errorType: 'server_error' },
  { name: 'openai.server-error', type: 'server_error', status: 500 },

  // --- Anthropic (docs.anthropic.com/en/api/errors) ---
  { name: 'anthropic.overloaded', type: 'overloaded_error', status: 529 },
  { name: 'anthropic.request-too-large', type: 'request_too_large', status: 413 },
  { name: 'anthropic.billing', type: 'billing_error', status: 402, retryable: false },
  { name: 'anthropic.api-error', type: 'api_error', status: 500 },
  { name: 'anthropic.timeout', type: 'timeout_error', status: 504 },

  // --- Google Gemini / Vertex AI: canonical status names (cloud.google.com/apis/design/errors) ---
  { name: 'google.resource-exhausted', hint: 'RESOURCE_EXHAUSTED', status: 429, errorType: 'rate_limit_error' },
  { name: 'google.unauthenticated', hint: 'UNAUTHENTICATED', status: 401, errorType: 'authentication_error' },
  { name: 'google.permission-denied', hint: 'PERMISSION_DENIED', status: 403, errorType: 'permission_error' },
  { name: 'google.not-found', hint: 'NOT_FOUND', status: 404, errorType: 'not_found_error' },
  { name: 'google.conflict', hint: ['ALREADY_EXISTS', 'ABORTED'], status: 409, errorType: 'conflict_error' },
  { name: 'google.cancelled', hint: 'CANCELLED', status: 499, errorType: 'invalid_request_error' },
  { name: 'google.unimplemented', hint: 'UNIMPLEMENTED', status: 501, errorType: 'server_error' },
  { name: 'google.unavailable', hint: 'UNAVAILABLE', status: 503, errorType: 'service_unavailable_error' },
  { name: 'google.deadline-exceeded', hint: 'DEADLINE_EXCEEDED', status: 504, errorType: 'timeout_error' },
  { name: 'google.internal', hint: ['INTERNAL', 'UNKNOWN', 'DATA_LOSS'], status: 500, errorType: 'server_error' },
  // Gemini answers a bad key as 400 INVALID_ARGUMENT with reason API_KEY_INVALID; without that hint it is auth
  { name: 'google.api-key-invalid', message: /\bapi key not valid\b/i, status: 401, errorType: 'authentication_error', errorCode: 'invalid_api_key' },
  { name: 'google.invalid-argument', hint: ['INVALID_ARGUMENT', 'FAILED_PRECONDITION', 'OUT_OF_RANGE'], status: 400, errorType: 'invalid_request_error' },

  // --- Mistral: {"object":"error","type":"rate_limited","code":"1300","raw_status_code":429} ---
  { name: 'mistral.rate-limited', type: 'rate_limited', status: 429, errorType: 'rate_limit_error' },

  // --- Groq: rate-limit type is the limited dimension ("tokens", "requests") with code rate_limit_exceeded ---
  { name: 'groq.model-decommissioned', code: 'model_decommissioned', status: 400, errorType: 'invalid_request_error' },

  // --- Hugging Face TGI: {"error": "...", "error_type": "..."}; router/src/server.rs maps InferError to status ---
  { name: 'tgi.overloaded', type: 'overloaded', status: 429, errorType: 'rate_limit_error' },
  { name: 'tgi.validation', type: ['validation', 'tokenizer'], status: 422, errorType: 'invalid_request_error' },
  { name: 'tgi.generation', type: 'generation', status: 424, errorType: 'server_error' },
  { name: 'tgi.incomplete-generation', type: 'incomplete_generation', status: 500, errorType: 'server_error' },

  // --- llama.cpp server: error types from tools/server/utils.hpp format_error_response ---
  { name: 'llamacpp.exceed-context', type: 'exceed_context_size_error', status: 400, errorType: 'invalid_request_error', errorCode: 'context_length_exceeded', retryable: false },
  { name: 'llamacpp.unavailable', type: 'unavailable_error', status: 503, errorType: 'service_unavailable_error' },
  { name: 'llamacpp.not-supported', type: 'not_supported_error', status: 501, errorType: 'server_error' },

  // --- vLLM / sglang: flat ErrorResponse whose type is an HTTP exception name ---
  { name: 'vllm.not-found', type: ['NotFoundError', 'NotFound'], status: 404, errorType: 'not_found_error' },
  { name: 'vllm.bad-request', type: ['BadRequestError', 'BadRequest'], status: 400, errorType: 'invalid_request_error' },
  { name: 'vllm.internal', type: ['InternalServerError', 'InternalServerErrror'], status: 500, errorType: 'server_error' },
  { name: 'vllm.unavailable', type: ['ServiceUnavailableError', 'ServiceUnavailable'], status: 503, errorType: 'service_unavailable_error' },

  // --- Ollama: {"error": "model \"llama2\" not found, try pulling it first"} (ollama/ollama#2230) ---
  { name: 'ollama.server-busy', message: /\bserver busy\b/i, status: 503, errorType: 'service_unavailable_error' },

  // --- OpenRouter (openrouter.ai/docs/api-reference/errors): 402 when credits run out ---
  { name: 'openrouter.insufficient-credits', message: /\b(?:insufficient credits|can only afford|requires more credits)\b/i, status: 402, errorType: 'insufficient_quota', errorCode: 'insufficient_credits', retryable: false },

  // --- Unambiguous OpenAI/Anthropic-style types: they say what happened better than any wording ---
  { name: 'type.authentication', type: ['authentication_error', 'invalid_api_key'], status: 401 },
  { name: 'type.permission', type: ['permission_error', 'permission_denied'], status: 403 },
  { name: 'type.not-found', type: ['not_found_error', 'not_found'], status: 404 },
  { name: 'type.rate-limit', type: ['rate_limit_error', 'rate_limit_exceeded', 'requests', 'tokens'], status: 429, errorType: 'rate_limit_error' },

  // --- AWS Bedrock: ThrottlingException is a bare {"message"} too ("Too many tokens, please wait before trying again.") ---
  { name: 'bedrock.throttling', message: /\b(?:too many (?:tokens|requests), please wait|please wait before trying again)\b/i, status: 429, errorType: 'rate_limit_error' },

  // --- Wording shared by many providers (LiteLLM exception_mapping_utils uses the same phrases) ---
  { name: 'any.model-not-found', message: /\b(?:model|deployment)\b[^\n]{0,200}?\b(?:does not exist|not found|is not available)/i, status: 404, errorType: 'invalid_request_error', errorCode: 'model_not_found' },
  { name: 'any.context-length', message: /\b(?:maximum context length|context length|context window|context size|prompt is too long|input is too long|too many tokens|reduce the length of the messages)\b/i, status: 400, errorType: 'invalid_request_error', errorCode: 'context_length_exceeded', retryable: false },
  { name: 'any.content-filter', message: /\b(?:content (?:management |filtering )?polic(?:y|ies)|content filter|safety system)\b/i, status: 400, errorType: 'invalid_request_error', errorCode: 'content_filter' },
  { name: 'any.quota', message: /\b(?:exceeded your current quota|quota exceeded|resource (?:has been )?exhausted)\b/i, status: 429, errorType: 'rate_limit_error' },
  { name: 'any.rate-limit', message: /\b(?:rate[\s_-]?limit(?:ed|s)?|too many requests)\b/i, status: 429, errorType: 'rate_limit_error' },
  { name: 'any.auth', message: /\b(?:(?:invalid|incorrect|missing|no) (?:api[\s_-]?key|x-api-key|auth(?:entication)? token|bearer token)|unauthori[sz]ed|authentication (?:error|failed|required))\b/i, status: 401, errorType: 'authentication_error' },
  { name: 'any.permission', message: /\b(?:permission denied|access denied|forbidden|not permitted)\b/i, status: 403, errorType: 'permission_error' },
  { name: 'any.timeout', message: /\b(?:timed out|timeout|deadline exceeded)\b/i, status: 504, errorType: 'timeout_error' },
  { name: 'any.overloaded', message: /\b(?:overloaded|service unavailable|temporarily unavailable|loading model)\b/i, status: 503, errorType: 'service_unavailable_error' },

  // --- The one broad type: its wording rules above (model not found, context length) come first ---
  { name: 'type.invalid-request', type: ['invalid_request_error', 'invalid_request', 'validation_error', 'bad_request_error'], status: 400 }
])
