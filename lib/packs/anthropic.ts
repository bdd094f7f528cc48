import { definePack } from './pack'

// Anthropic (docs.anthropic.com/en/api/errors): the error type names the status.
const DOCS = 'https://docs.anthropic.com/en/api/errors'
const isAnthropic = (envelope: { shape: string }): boolean => envelope.shape === 'anthropic'

export default definePack('anthropic', [
  // `overloaded` is TGI's word for a 429; only Anthropic's shape makes it a 529.
  { name: 'anthropic.overloaded', type: 'overloaded_error', when: isAnthropic, status: 529, source: DOCS },
  { name: 'anthropic.request-too-large', type: 'request_too_large', status: 413, source: DOCS },
  // Claude Code saw a 413 for "Request size exceeds model context window" typed invalid_request_error.
  { name: 'anthropic.request-size', message: /\brequest size exceeds\b/i, status: 413, errorType: 'request_too_large', weight: 55, source: 'https://github.com/anthropics/claude-code/issues/6358' },
  { name: 'anthropic.billing', type: 'billing_error', status: 402, retryable: false, source: DOCS },
  // A low credit balance is answered 400 invalid_request_error, not 402.
  { name: 'anthropic.credit-balance', type: 'invalid_request_error', message: /\bcredit balance is too low\b/i, status: 400, retryable: false, source: 'https://github.com/anthropics/claude-code/issues/66314' },
  { name: 'anthropic.api-error', type: 'api_error', status: 500, weight: 30, source: DOCS },
  { name: 'anthropic.timeout', type: 'timeout_error', status: 504, source: DOCS }
])
