import { definePack } from './pack'

// Google Gemini / Vertex AI: canonical status names (cloud.google.com/apis/design/errors) map to HTTP statuses.
const DESIGN = 'https://cloud.google.com/apis/design/errors'

export default definePack('google', [
  { name: 'google.resource-exhausted', hint: 'RESOURCE_EXHAUSTED', status: 429, errorType: 'rate_limit_error', source: DESIGN },
  { name: 'google.unauthenticated', hint: 'UNAUTHENTICATED', status: 401, errorType: 'authentication_error', source: DESIGN },
  { name: 'google.permission-denied', hint: 'PERMISSION_DENIED', status: 403, errorType: 'permission_error', source: DESIGN },
  { name: 'google.not-found', hint: 'NOT_FOUND', status: 404, errorType: 'not_found_error', source: DESIGN },
  { name: 'google.conflict', hint: ['ALREADY_EXISTS', 'ABORTED'], status: 409, errorType: 'conflict_error', source: DESIGN },
  { name: 'google.cancelled', hint: 'CANCELLED', status: 499, errorType: 'invalid_request_error', source: DESIGN },
  { name: 'google.unimplemented', hint: 'UNIMPLEMENTED', status: 501, errorType: 'server_error', source: DESIGN },
  { name: 'google.unavailable', hint: 'UNAVAILABLE', status: 503, errorType: 'service_unavailable_error', source: DESIGN },
  { name: 'google.deadline-exceeded', hint: 'DEADLINE_EXCEEDED', status: 504, errorType: 'timeout_error', source: DESIGN },
  { name: 'google.internal', hint: ['INTERNAL', 'UNKNOWN', 'DATA_LOSS'], status: 500, errorType: 'server_error', source: DESIGN },
  // Gemini answers a bad key as 400 INVALID_ARGUMENT (its code says so); without a status the wording is auth.
  { name: 'google.api-key-invalid', message: /\bapi key not valid\b/i, status: 401, errorType: 'authentication_error', errorCode: 'invalid_api_key', weight: 85, source: 'https://ai.google.dev/gemini-api/docs/troubleshooting' },
  { name: 'google.invalid-argument', hint: ['INVALID_ARGUMENT', 'FAILED_PRECONDITION', 'OUT_OF_RANGE'], status: 400, errorType: 'invalid_request_error', source: DESIGN }
])
