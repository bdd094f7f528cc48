import { definePack } from './pack'

// Mistral La Plateforme: flat {"object":"error","type","code":"1300","raw_status_code":429}.
export default definePack('mistral', [
  { name: 'mistral.rate-limited', type: 'rate_limited', status: 429, errorType: 'rate_limit_error', source: 'https://github.com/raycast/extensions/issues/31107' },
  { name: 'mistral.invalid-model', type: 'invalid_model', status: 400, errorType: 'invalid_request_error', errorCode: 'model_not_found', source: 'https://github.com/lfnovo/open-notebook/issues/441' }
])
