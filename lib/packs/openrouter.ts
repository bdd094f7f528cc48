import { definePack } from './pack'

// OpenRouter (openrouter.ai/docs/api-reference/errors): 402 when credits run out. The wording outweighs an
// `insufficient_quota` type (OpenAI's 429): gateways in OpenRouter's mould send both with 402.
export default definePack('openrouter', [
  { name: 'openrouter.insufficient-credits', message: /\b(?:insufficient credits|can only afford|requires more credits)\b/i, status: 402, errorType: 'insufficient_quota', errorCode: 'insufficient_credits', retryable: false, weight: 65, source: 'https://openrouter.ai/docs/api-reference/errors' }
])
