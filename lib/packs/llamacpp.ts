import { definePack } from './pack'

// llama.cpp server: error types from tools/server/utils.hpp format_error_response.
const SOURCE = 'https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md'

export default definePack('llama.cpp', [
  { name: 'llamacpp.exceed-context', type: 'exceed_context_size_error', status: 400, errorType: 'invalid_request_error', errorCode: 'context_length_exceeded', retryable: false, source: SOURCE },
  { name: 'llamacpp.unavailable', type: 'unavailable_error', status: 503, errorType: 'service_unavailable_error', source: SOURCE },
  { name: 'llamacpp.not-supported', type: 'not_supported_error', status: 501, errorType: 'server_error', source: SOURCE }
])
