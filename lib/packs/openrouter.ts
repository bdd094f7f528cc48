import { definePack } from './pack'

// OpenRouter (openrouter.ai/docs/api-reference/errors): 402 when credits run out.
export default definePack('openrouter', [
  { name: 'openrouter.insufficient-credits', message: /\b(?:insufficient credits|can only afford|requires more credits)\b/i, status: 402, errorType: 'insufficient_quota', errorCode: 'insufficient_credits', retryable: false, source: 'https://openrouter.ai/docs/api-reference/errors' }
])
