import createError from '@fastify/error'

// Every error the plugin itself raises: registration-time problems with options and route config.
export const InvalidOptionError = createError<'FST_OPENAI_ERRORS_INVALID_OPTION', [string, string]>(
  'FST_OPENAI_ERRORS_INVALID_OPTION',
  'fastify-openai-errors: option "%s" %s',
  500,
  TypeError
)

export const InvalidRouteConfigError = createError<'FST_OPENAI_ERRORS_INVALID_ROUTE_CONFIG', [string, string, string]>(
  'FST_OPENAI_ERRORS_INVALID_ROUTE_CONFIG',
  'fastify-openai-errors: route %s: config.openaiErrors%s %s',
  500,
  TypeError
)
