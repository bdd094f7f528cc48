import { definePack } from './pack'

// Hugging Face TGI and TEI: {"error": "...", "error_type": "..."}; router/src/server.rs maps each InferError to a status.
const TGI = 'https://github.com/huggingface/text-generation-inference/blob/db931fcf42da018a3657580c64bf2720f167f9ab/docs/openapi.json'
const TEI = 'https://github.com/huggingface/text-embeddings-inference/blob/0d124dc9773be6ac5a9a57d8439aba9bbbf33273/docs/openapi.json'
const notAnthropic = (envelope: { shape: string }): boolean => envelope.shape !== 'anthropic'

export default definePack('huggingface', [
  { name: 'tgi.overloaded', type: 'overloaded', when: notAnthropic, status: 429, errorType: 'rate_limit_error', source: TEI },
  { name: 'tgi.validation', type: ['validation', 'tokenizer', 'tool_error', 'suffix not supported'], status: 422, errorType: 'invalid_request_error', source: TGI },
  { name: 'tgi.generation', type: 'generation', status: 424, errorType: 'server_error', source: TGI },
  { name: 'tgi.incomplete-generation', type: ['incomplete_generation', 'headers'], status: 500, errorType: 'server_error', source: TGI },
  { name: 'tgi.unhealthy', type: ['healthcheck', 'unhealthy'], status: 503, errorType: 'service_unavailable_error', source: TGI },
  { name: 'tei.empty', type: 'empty', status: 400, errorType: 'invalid_request_error', source: TEI },
  { name: 'tei.backend', type: 'backend', status: 424, errorType: 'server_error', source: TEI },
  { name: 'hf.template-error', type: 'template_error', status: 400, errorType: 'invalid_request_error', source: 'https://github.com/Kong/kong/tree/master/spec/fixtures/ai-proxy/huggingface' }
])
