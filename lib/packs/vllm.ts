import { definePack } from './pack'

// vLLM / sglang: an ErrorResponse whose type is an HTTP exception's class name (BadRequestError, NotFoundError...),
// matched as spelt so that the generic `not_found` types stay the generic rules'.
const SOURCE = 'https://github.com/vllm-project/vllm/blob/main/vllm/entrypoints/openai/protocol.py'

export default definePack('vllm', [
  { name: 'vllm.not-found', type: /^NotFound(?:Error)?$/, status: 404, errorType: 'not_found_error', source: SOURCE },
  { name: 'vllm.bad-request', type: /^BadRequest(?:Error)?$/, status: 400, errorType: 'invalid_request_error', source: SOURCE },
  { name: 'vllm.internal', type: /^InternalServerErr?ror$/, status: 500, errorType: 'server_error', source: SOURCE },
  { name: 'vllm.unavailable', type: /^ServiceUnavailable(?:Error)?$/, status: 503, errorType: 'service_unavailable_error', source: SOURCE }
])
