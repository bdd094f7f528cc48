import { definePack } from './pack'

// Groq: OpenAI's shape; one request over the tokens-per-minute budget is a 413, not a rate limit.
export default definePack('groq', [
  { name: 'groq.model-decommissioned', code: 'model_decommissioned', status: 400, errorType: 'invalid_request_error', source: 'https://console.groq.com/docs/deprecations' },
  { name: 'groq.request-too-large', code: 'rate_limit_exceeded', message: /\brequest too large\b/i, status: 413, errorType: 'invalid_request_error', errorCode: 'request_too_large', retryable: false, source: 'https://github.com/cottongeeks/podscript/issues/20' },
  { name: 'groq.tool-use-failed', code: 'tool_use_failed', status: 400, errorType: 'invalid_request_error', source: 'https://github.com/pydantic/pydantic-ai/blob/4fda38988f2939fa6ea9cdefcf120693e10ef491/tests/models/cassettes/test_groq/test_tool_use_failed_error.yaml#L59' }
])
