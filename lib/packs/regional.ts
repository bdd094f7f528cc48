import { definePack } from './pack'

// Providers in China and Russia whose own codes say what their wording does not (or says in Chinese).
// Zhipu (BigModel / Z.ai): numeric codes in {"error":{"code":"1113"}} (docs.bigmodel.cn error codes).
// Zhipu sends its codes as strings; a bare number 1000 from elsewhere is not Zhipu's.
const stringCode = (envelope: { code: string | number | undefined }): boolean => typeof envelope.code === 'string'

export const zhipu = definePack('zhipu', [
  { name: 'zhipu.auth', code: ['1000', '1001', '1002', '1003', '1004'], when: stringCode, weight: 70, status: 401, errorType: 'authentication_error', source: 'https://github.com/MetaGLM/zhipuai-sdk-python-v4/issues/6' },
  // Balance or resource package exhausted is a 429 at Zhipu (also as Z.ai's English wording, relayed by gateways).
  { name: 'zhipu.balance', code: ['1113'], when: stringCode, weight: 70, status: 429, errorType: 'insufficient_quota', retryable: false, source: 'https://github.com/zhayujie/CowAgent/issues/2910' },
  { name: 'zhipu.balance-wording', message: /\bno resource package\b/i, status: 429, errorType: 'insufficient_quota', retryable: false, weight: 55, source: 'https://github.com/vercel/ai/issues/9290' },
  { name: 'zhipu.model-not-found', code: '1211', when: stringCode, weight: 70, status: 400, errorType: 'invalid_request_error', errorCode: 'model_not_found', source: 'https://github.com/esengine/DeepSeek-Reasonix/issues/6858' },
  { name: 'zhipu.content-filter', code: '1301', when: stringCode, weight: 70, status: 400, errorType: 'invalid_request_error', errorCode: 'content_filter', source: 'https://github.com/langchain4j/langchain4j/issues/1079' },
  { name: 'zhipu.rate-limit', code: ['1302', '1303', '1305'], when: stringCode, weight: 70, status: 429, errorType: 'rate_limit_error', source: 'https://github.com/kaitranntt/ccs/issues/536' }
])

// Moonshot (Kimi): an organisation over its quota is refused 403.
export const moonshot = definePack('moonshot', [
  { name: 'moonshot.exceeded-quota', type: 'exceeded_current_quota_error', status: 403, errorType: 'insufficient_quota', retryable: false, source: 'https://github.com/MoonshotAI/Kimi-K2/issues/5' }
])

// SiliconFlow: {"code": 20012, "message": "Model does not exist..."} is answered 400.
export const siliconflow = definePack('siliconflow', [
  { name: 'siliconflow.model-not-found', code: 20012, status: 400, errorType: 'invalid_request_error', errorCode: 'model_not_found', source: 'https://github.com/ErlichLiu/DeepClaude/issues/111' }
])

// GigaChat (Sber): OAuth scope errors {"code": 5, "message": "scope is empty"} are 400.
export const gigachat = definePack('gigachat', [
  { name: 'gigachat.scope', code: [5, 7], message: /\bscope\b/i, status: 400, errorType: 'invalid_request_error', source: 'https://developers.sber.ru/docs/ru/gigachat/api/errors-description' }
])

// one-api / new-api relays: "no available channel for this model" (无可用渠道) is a 503.
export const oneApi = definePack('one-api', [
  { name: 'one-api.no-channel', message: /无可用渠道|\bno available channel\b/i, status: 503, errorType: 'service_unavailable_error', source: 'https://github.com/songquanpeng/one-api/issues/2340' }
])

// MiniMax: an exhausted balance (its code 1008) is answered 500 api_error.
export const minimax = definePack('minimax', [
  { name: 'minimax.insufficient-balance', message: /\binsufficient balance \(1008\)/i, status: 500, errorType: 'api_error', retryable: false, weight: 55, source: 'https://github.com/MiniMax-AI/MiniMax-M2/issues/62' }
])
