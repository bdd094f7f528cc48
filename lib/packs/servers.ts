import { definePack } from './pack'

// Local and self-hosted servers whose codes or types carry the status.

// FastChat's openai_api_server answers every ErrorCode (fastchat/constants.py: 40001-50006) with HTTP 400.
export const fastchat = definePack('fastchat', [
  { name: 'fastchat.error-code', code: [40001, 40101, 40102, 40103, 40301, 40302, 40303, 42901, 42902, 42903, 50001, 50002, 50003, 50004, 50005, 50006], status: 400, errorType: 'invalid_request_error', source: 'https://github.com/chatchat-space/Langchain-Chatchat/issues/1883' }
])

// KoboldCpp answers bad input (a payload too big, input it cannot parse) with 500 (koboldcpp.py).
export const koboldcpp = definePack('koboldcpp', [
  { name: 'koboldcpp.bad-input', type: 'bad_input', status: 500, errorType: 'server_error', source: 'https://github.com/LostRuins/koboldcpp/blob/2da346a5ff2cfd1debac59066553d45d098e95a4/koboldcpp.py#L1852' }
])

// LocalAI: a model still being staged on a node is loading (503).
export const localai = definePack('localai', [
  { name: 'localai.model-loading', type: 'model_loading', status: 503, errorType: 'service_unavailable_error', source: 'https://github.com/mudler/LocalAI/blob/82c191afadf5f005281e798ccfa0ffd0d5805030/docs/content/features/distributed-mode.md#L128' }
])

// LM Studio answers a request while no model is loaded 400 ("No models loaded. Please load a model...").
export const lmstudio = definePack('lm-studio', [
  { name: 'lmstudio.no-models-loaded', message: /\bno models loaded\b/i, status: 400, errorType: 'invalid_request_error', errorCode: 'model_not_found', weight: 55, source: 'https://github.com/tinyhumansai/openhuman/issues/3687' }
])
