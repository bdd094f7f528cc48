// Optional peers (prom-client, @opentelemetry/api) are the host's: required from where the package is installed,
// so the host's copy (and its registry, its tracer provider) is the one used.

/** The module `name`, or null when it cannot be loaded from `from` (the host did not install it). */
export function requirePeer<T> (name: string, from: NodeJS.Require = require): T | null {
  try {
    return from(name) as T
  } catch {
    return null
  }
}
