import { definePack } from './pack'

// Azure OpenAI: deployments instead of models, and the content filter (code content_filter, type null).
export default definePack('azure-openai', [
  { name: 'azure.deployment-not-found', code: 'DeploymentNotFound', status: 404, errorType: 'invalid_request_error', errorCode: 'model_not_found', source: 'https://learn.microsoft.com/en-us/azure/ai-services/openai/reference' },
  { name: 'azure.content-filter', code: ['content_filter', 'content_policy_violation', 'ResponsibleAIPolicyViolation'], status: 400, errorType: 'invalid_request_error', source: 'https://github.com/openai/openai-python/issues/331' }
])
