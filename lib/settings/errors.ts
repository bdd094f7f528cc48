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

export const MissingPeerError = createError<'FST_OPENAI_ERRORS_MISSING_PEER', [string, string, string]>(
  'FST_OPENAI_ERRORS_MISSING_PEER',
  'fastify-openai-errors: %s needs the package "%s", an optional peer dependency: install it (npm install %s)',
  500,
  Error
)

// A rules file (loadRules) that cannot be read, parsed or accepted: the file, then where in it and what is wrong.
export const InvalidRulesFileError = createError<'FST_OPENAI_ERRORS_INVALID_RULES_FILE', [string, string]>(
  'FST_OPENAI_ERRORS_INVALID_RULES_FILE',
  'fastify-openai-errors: %s: %s',
  500,
  TypeError
)
