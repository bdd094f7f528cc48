// The public types live in index.d.ts (the package's one place for them); the code uses them from there.
import type { Decision, Envelope, EnvelopeShape, Evidence, ExtractedError, Extractor, Rule as PublicRule, TextMatcher } from '../index'

export type { Decision, Envelope, EnvelopeShape, Evidence, ExtractedError, Extractor, TextMatcher }

/** A rule once options are normalised: every rule has a name (`rules[2]` when the user gave none). */
export type Rule = PublicRule & { name: string }
