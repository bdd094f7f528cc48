// The OpenAI-style `type` to use in a body we build when no rule names one.
const TYPE_BY_STATUS: Readonly<Record<number, string>> = Object.freeze({
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'insufficient_quota',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  408: 'timeout_error',
  409: 'conflict_error',
  413: 'request_too_large',
  415: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
  500: 'server_error',
  501: 'server_error',
  502: 'bad_gateway_error',
  503: 'service_unavailable_error',
  504: 'timeout_error',
  529: 'overloaded_error'
})

export function typeForStatus (status: number): string {
  return TYPE_BY_STATUS[status] ?? (status < 500 ? 'invalid_request_error' : 'server_error')
}
