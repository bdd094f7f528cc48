// Which provider a decision points at, for observers (metrics labels, span attributes, the decision event).

// Prefixes of the default rules that no provider owns.
const CROSS_PROVIDER = new Set(['any', 'type'])

/** The provider a decision points at: the deciding rule's prefix (`anthropic.overloaded`), else the body's shape. */
export function providerOf (rule: string, shape: string | null): string | null {
  const dot = rule.indexOf('.')
  const prefix = dot > 0 ? rule.slice(0, dot) : null
  return prefix !== null && !CROSS_PROVIDER.has(prefix) ? prefix : shape
}
