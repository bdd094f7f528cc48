import type { Rule } from '../types'

/** One provider family's rules: data, each rule with where its behaviour comes from. */
export interface Pack {
  /** The provider the rules speak for, as the `provider` option names it. */
  provider: string
  rules: readonly Rule[]
}

/** A pack whose rules all name its provider, frozen: users extend the table through options, not by mutation. */
export function definePack (provider: string, rules: ReadonlyArray<Omit<Rule, 'provider'> & { name: string, source: string }>): Pack {
  return Object.freeze({ provider, rules: Object.freeze(rules.map((rule) => Object.freeze({ ...rule, provider }))) })
}
