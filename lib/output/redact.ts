// Pure: masking credentials, file paths and stack frames in text the plugin writes into a body it builds.
// Every pattern runs in linear time: no nested quantifiers, each repeat either bounded or over a class the
// next token cannot match, so a hostile message costs one pass per pattern, never a backtracking storm.

export const REDACTED = '***'
export const PATH_PLACEHOLDER = '<path>'

// Text is never searched past this many characters; the rest is dropped (a built message that long is noise).
export const MAX_REDACT_CHARS = 65536
const MAX_PASSES = 4

interface Pattern {
  /** What it masks (SECURITY.md lists them). */
  name: string
  /**
   * A cheap test that every match needs (a literal or a short fixed-length alternation): text without it skips
   * the pattern, so a clean message costs a few searches instead of a dozen global replaces.
   */
  may: (text: string) => boolean
  pattern: RegExp
  replace: string
}

// Characters of a token (API keys, bearer tokens, JWT parts). `*` is not one: a masked key stays masked.
const TOKEN = 'A-Za-z0-9_\\-'

// The hints: each a literal, or an alternation of literals, that the pattern below it cannot match without.
const hasNewline = (text: string): boolean => text.includes('\n')
const CREDENTIAL_NAME_HINT = /auth|api|token|secret|passw/i
const BEARER_HINT = /bearer/i
const SK_HINT = /sk[-_]|rk_/
const AWS_HINT = /A(?:KI|SI|BI|CC|GP|ID|IP|NP|NV|RO|PK|SC)A/
const PROVIDER_HINT = /gsk_|hf_|gh[pousr]_|github_pat_|xai-|xox[abprs]-/

const PATTERNS: readonly Pattern[] = [
  { name: 'python traceback header', may: (text) => text.includes('Traceback'), pattern: /Traceback \(most recent call last\):/g, replace: '' },
  // Stack frames: a Node frame `\n    at fn (/path/file.js:10:5)` and a Python `\n  File "/x.py", line 3, in f`.
  {
    name: 'node stack frame', may: hasNewline,
    pattern: /\r?\n[ \t]+at [^\r\n]*(?::\d+:\d+\)?|\((?:<anonymous>|native)\))(?=[ \t]*(?:\r?\n|$))/g,
    replace: ''
  },
  {
    name: 'python stack frame', may: hasNewline,
    pattern: /\r?\n[ \t]*File "[^"\r\n]*", line \d+[^\r\n]*(?:\r?\n[ \t]+(?![ \t]|File ")[^\r\n]*)?/g,
    replace: ''
  },
  // `Authorization: Bearer x`, `x-api-key: x`, `api_key=x`, `"password": "x"`: the name stays, the value goes.
  {
    name: 'credential field', may: (text) => CREDENTIAL_NAME_HINT.test(text),
    pattern: /\b((?:proxy-)?authorization|(?:x-)?(?:goog-)?api[_-]?key|x-auth-token|access[_-]?token|refresh[_-]?token|client[_-]?secret|(?:aws[_-]?)?secret[_-]?access[_-]?key|passw(?:or)?d)(["']?[ \t]{0,8}[:=][ \t]{0,8}["']?)((?:bearer|basic|token|digest)[ \t]{1,8})?(?!(?:bearer|basic|token|digest)\b)[^\s"',;*]{4,}/gi,
    replace: `$1$2$3${REDACTED}`
  },
  { name: 'bearer token', may: (text) => BEARER_HINT.test(text), pattern: /\b(Bearer)[ \t]{1,8}[A-Za-z0-9._~+/=-]{16,}/gi, replace: `$1 ${REDACTED}` },
  // OpenAI `sk-`, `sk-proj-`, `sk-svcacct-`, Anthropic `sk-ant-api03-`, Stripe-style `sk_live_`.
  { name: 'sk- key', may: (text) => SK_HINT.test(text), pattern: new RegExp(`(?<![A-Za-z0-9])(sk-|sk_|rk_)[${TOKEN}]{16,}`, 'g'), replace: `$1${REDACTED}` },
  { name: 'AWS access key id', may: (text) => AWS_HINT.test(text), pattern: /\b(AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}\b/g, replace: `$1${REDACTED}` },
  { name: 'Google API key', may: (text) => text.includes('AIza'), pattern: new RegExp(`\\b(AIza)[${TOKEN}]{30,}`, 'g'), replace: `$1${REDACTED}` },
  // Groq `gsk_`, Hugging Face `hf_`, GitHub `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_`/`github_pat_`, xAI `xai-`, Slack `xox?-`.
  {
    name: 'provider token', may: (text) => PROVIDER_HINT.test(text),
    pattern: new RegExp(`(?<![A-Za-z0-9])(gsk_|hf_|gh[pousr]_|github_pat_|xai-|xox[abprs]-)[${TOKEN}]{20,}`, 'g'),
    replace: `$1${REDACTED}`
  },
  { name: 'JWT', may: (text) => text.includes('eyJ'), pattern: new RegExp(`\\beyJ[${TOKEN}]{8,}\\.eyJ[${TOKEN}]{8,}\\.[${TOKEN}]{8,}`, 'g'), replace: REDACTED },
  // `https://user:password@host`
  { name: 'URL credentials', may: (text) => text.includes('://') && text.includes('@'), pattern: /\b([a-z][a-z0-9+.-]{0,20}:\/\/)[^\s/@:]{0,256}:[^\s/@]{1,256}@/gi, replace: `$1${REDACTED}@` },
  // Absolute file paths under the usual roots, Windows drive paths and file: URLs.
  {
    name: 'file path', may: (text) => text.includes('/') || text.includes(':\\'),
    pattern: /(?<![\w./\\-])(?:file:\/\/\/?|\/(?:home|Users|root|usr|var|srv|opt|app|tmp|etc|private|mnt|workspace|work|builds?|data|snap|proc|run|code|src|node_modules)\/|[A-Za-z]:\\)[^\s'"`()<>,;]*/g,
    replace: PATH_PLACEHOLDER
  }
]

// Every hint above in one search (case-insensitive, so it errs towards looking closer): text with none of them,
// which is most messages and every type and code, is returned after one pass instead of a dozen.
const ANY_HINT = /[\n/]|:\\|traceback|auth|api|token|secret|passw|bearer|sk[-_]|rk_|A(?:KI|SI|BI|CC|GP|ID|IP|NP|NV|RO|PK|SC)A|AIza|gsk_|hf_|gh[pousr]_|github_pat_|xai-|xox[abprs]-|eyJ/i

/**
 * `text` with credentials, file paths and stack frames masked: `sk-...` keys become `sk-***`, `Bearer x`
 * becomes `Bearer ***`, an AWS key id `AKIA***`, a path `<path>`. Already masked text is left as it is.
 */
export function redact (text: string): string {
  if (text.length <= MAX_REDACT_CHARS && !ANY_HINT.test(text)) return text
  let out = text.length > MAX_REDACT_CHARS ? text.slice(0, MAX_REDACT_CHARS) : text
  // A removed frame can join its neighbours into a new one: pass again until nothing changes (a few times at most).
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const before = out
    for (const { may, pattern, replace } of PATTERNS) if (may(out)) out = out.replace(pattern, replace)
    if (out === before) break
  }
  // What was removed may leave blank edges ("Traceback ...:" and its frames before the error line).
  return out === text ? out : out.trim()
}
