import createError from '@fastify/error'

// What runConformance refuses before it starts: options it cannot run with.
export const InvalidConformanceOptionError = createError<'FST_OPENAI_ERRORS_CONFORMANCE_OPTION', [string, string]>(
  'FST_OPENAI_ERRORS_CONFORMANCE_OPTION',
  'fastify-openai-errors conformance: option "%s" %s',
  500,
  TypeError
)
