import { definePack } from './pack'

// LiteLLM's proxy: its router's words, and the ProxyErrorTypes of virtual keys (litellm/proxy/_types.py).
const TYPES = 'https://github.com/BerriAI/litellm/blob/main/litellm/proxy/_types.py'

export default definePack('litellm', [
  // Unknown model answered 200 {"error":{"message":"No models available...","type":"invalid_request_error"}}
  { name: 'litellm.no-models-available', message: /\bno models available\b/i, status: 404, errorType: 'invalid_request_error', errorCode: 'model_not_found', source: 'https://github.com/BerriAI/litellm/issues/27030' },
  // Router cooldown: "No deployments available for selected model, Try again in 60 seconds" is a 429
  { name: 'litellm.no-deployments-available', message: /\bno (?:healthy )?deployments? (?:available|for this model)\b/i, status: 429, errorType: 'rate_limit_error', source: 'https://github.com/BerriAI/litellm/issues/2493' },
  // v1.34: "400: {'error': 'Invalid model name passed in'}"; with `code: 400` beside it the body's own status wins.
  { name: 'litellm.invalid-model-name', message: /\binvalid model name\b/i, status: 404, errorType: 'invalid_request_error', errorCode: 'model_not_found', source: 'https://github.com/BerriAI/litellm/issues/2931' },
  // budget_exceeded is a 429 since BudgetExceededError got status_code=429
  { name: 'litellm.budget-exceeded', type: 'budget_exceeded', status: 429, errorType: 'budget_exceeded', retryable: false, source: TYPES },
  { name: 'litellm.auth', type: ['auth_error', 'expired_key', 'token_not_found_in_db'], status: 401, errorType: 'authentication_error', source: TYPES },
  { name: 'litellm.model-access-denied', type: ['key_model_access_denied', 'team_model_access_denied', 'user_model_access_denied'], status: 403, errorType: 'permission_error', source: TYPES }
])
