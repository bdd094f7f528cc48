/** Per-route settings, set on the request by a route's onRequest hook when the route overrides them. */
export const kRouteSettings = Symbol('fastify-openai-errors.routeSettings')
/** Set on a reply whose error body the plugin built itself, so onSend leaves it alone. */
export const kBuiltByPlugin = Symbol('fastify-openai-errors.builtByPlugin')
/** Set on a reply by the onError hook when Fastify's own error handler will answer: the error thrown, in a box. */
export const kThrown = Symbol('fastify-openai-errors.thrown')
