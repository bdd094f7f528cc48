import { definePack } from './pack'

// Gateways and platforms in front of the providers, with words or codes of their own.

// GitHub Models (Azure AI inference): its codes name the status.
export const githubModels = definePack('github-models', [
  { name: 'github-models.tokens-limit', code: 'tokens_limit_reached', status: 413, errorType: 'invalid_request_error', errorCode: 'request_too_large', retryable: false, source: 'https://github.com/eslint/tsc-meetings/pull/593' },
  { name: 'github-models.unknown-model', code: 'unknown_model', status: 400, errorType: 'invalid_request_error', errorCode: 'model_not_found', source: 'https://github.com/github/gh-models/pull/4' }
])

// Cloudflare API: {"success":false,"errors":[{"code":7003,...}]}; 7000 "No route for that URI" is a 400, 7003
// "Could not route" a 404.
export const cloudflare = definePack('cloudflare', [
  { name: 'cloudflare.no-route', code: 7000, status: 400, errorType: 'invalid_request_error', source: 'https://github.com/Jazee6/cloudflare-ai-web/issues/52' },
  { name: 'cloudflare.could-not-route', code: 7003, status: 404, errorType: 'not_found_error', source: 'https://github.com/anomalyco/opencode/issues/23773' }
])

// Kong AI Gateway plugins answer their own refusals 400 {"error":{"message":...}}.
export const kong = definePack('kong', [
  { name: 'kong.template', message: /\b(?:only supports templated requests|could not find template name|failed to introspect request)\b/i, status: 400, errorType: 'invalid_request_error', weight: 55, source: 'https://github.com/Kong/kong/blob/22246ef28c16842098369b494eef879222e30c7b/spec/03-plugins/43-ai-prompt-template/02-integration_spec.lua#L209' }
])

// Apache APISIX ai-prompt-guard: a refused prompt is a 400.
export const apisix = definePack('apisix', [
  { name: 'apisix.prompt-guard', message: /\b(?:request contains prohibited content|request doesn't match allow patterns)\b/i, status: 400, errorType: 'invalid_request_error', errorCode: 'content_filter', weight: 55, source: 'https://github.com/apache/apisix/blob/f519a0f04ccfd4c13b5d06caf34bcde8c8593980/t/plugin/ai-prompt-guard.t#L202' }
])

// TensorZero: every variant of a function failed upstream: a 502.
export const tensorzero = definePack('tensorzero', [
  { name: 'tensorzero.all-variants-failed', message: /\ball variants failed\b/i, status: 502, errorType: 'bad_gateway_error', weight: 55, source: 'https://github.com/tensorzero/tensorzero/blob/7a6159a4348ff015373d7926f74ac589ca59a0d9/crates/gateway/tests/relay/basic.rs#L715' }
])
