import { definePack } from './pack'

// AWS: Bedrock and API Gateway answer with a bare {"message"}; the type is in a header we may not see.
export default definePack('aws', [
  // ThrottlingException: "Too many tokens, please wait before trying again."
  { name: 'bedrock.throttling', message: /\b(?:too many (?:tokens|requests), please wait|please wait before trying again)\b/i, status: 429, errorType: 'rate_limit_error', weight: 55, source: 'https://docs.aws.amazon.com/bedrock/latest/APIReference/CommonErrors.html' },
  { name: 'bedrock.malformed-input', message: /\bmalformed input request\b/i, status: 400, errorType: 'invalid_request_error', weight: 55, source: 'https://github.com/pydantic/pydantic-ai/blob/4fda38988f2939fa6ea9cdefcf120693e10ef491/tests/models/cassettes/test_multimodal_tool_returns/test_multimodal_tool_return_matrix%5Bdirect-uploaded_file-document-bedrock_nova%5D.yaml#L79' },
  // An unknown path or a missing key on API Gateway: the famous 403 "Missing Authentication Token".
  { name: 'aws.missing-authentication-token', message: /^missing authentication token$/i, status: 403, errorType: 'permission_error', weight: 55, source: 'https://linden.consulting/en/blog/api-gateway-403-missing-auth' },
  { name: 'aws.not-authorized', message: /\bis not authorized to perform\b/i, status: 403, errorType: 'permission_error', weight: 55, source: 'https://github.com/BerriAI/litellm/pull/39166' }
])
