import { definePack } from './pack'

// OpenAI's API (platform.openai.com/docs/guides/error-codes): specific codes first; `server_error` is generic.
const DOCS = 'https://platform.openai.com/docs/guides/error-codes'

export default definePack('openai', [
  { name: 'openai.model-not-found', code: 'model_not_found', status: 404, errorType: 'invalid_request_error', source: DOCS },
  // The Responses API answers an unknown model 400, not 404 (test/corpus/errors/clouds.json, openai 400).
  { name: 'openai.responses-model-not-found', code: 'model_not_found', message: /^the requested model\b/i, status: 400, errorType: 'invalid_request_error', source: 'https://github.com/pydantic/pydantic-ai/blob/4fda38988f2939fa6ea9cdefcf120693e10ef491/tests/cassettes/test_model_name_suggestions/test_model_name_suggestion%5Bopenai-responses%5D.yaml#L46' },
  // A project without access to a model gets 403 with code model_not_found.
  { name: 'openai.model-no-access', code: 'model_not_found', message: /\bdoes not have access to model\b/i, status: 403, errorType: 'permission_error', source: 'https://github.com/cursor/cursor/issues/2953' },
  { name: 'openai.invalid-api-key', code: ['invalid_api_key', 'invalid_authentication'], status: 401, errorType: 'invalid_request_error', source: DOCS },
  { name: 'openai.insufficient-quota', code: 'insufficient_quota', status: 429, errorType: 'insufficient_quota', retryable: false, source: DOCS },
  { name: 'openai.insufficient-quota-type', type: 'insufficient_quota', status: 429, errorType: 'insufficient_quota', errorCode: 'insufficient_quota', retryable: false, source: DOCS },
  { name: 'openai.rate-limit', code: ['rate_limit_exceeded', 'rate_limit_error'], status: 429, errorType: 'rate_limit_error', source: DOCS },
  { name: 'openai.context-length', code: ['context_length_exceeded', 'string_above_max_length'], status: 400, errorType: 'invalid_request_error', retryable: false, source: DOCS },
  { name: 'openai.unsupported-region', code: 'unsupported_country_region_territory', status: 403, errorType: 'permission_error', source: DOCS },
  // "That model is currently overloaded with other requests"
  { name: 'openai.model-overloaded', message: /\b(?:model|engine) is currently overloaded\b/i, status: 503, errorType: 'server_error', source: DOCS },
  { name: 'openai.server-error', type: 'server_error', status: 500, weight: 30, source: DOCS }
])
