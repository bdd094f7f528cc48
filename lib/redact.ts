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
  pattern: RegExp
  replace: string
}

// Characters of a token (API keys, bearer tokens, JWT parts). `*` is not one: a masked key stays masked.
const TOKEN = 'A-Za-z0-9_\\-'

const PATTERNS: readonly Pattern[] = [
  { name: 'python traceback header', pattern: /Traceback \(most recent call last\):/g, replace: '' },
  // Stack frames: a Node frame `\n    at fn (/path/file.js:10:5)` and a Python `\n  File "/x.py", line 3, in f`.
  {
    name: 'node stack frame',
    pattern: /\r?\n[ \t]+at [^\r\n]*(?::\d+:\d+\)?|\((?:<anonymous>|native)\))(?=[ \t]*(?:\r?\n|$))/g,
    replace: ''
  },
  {
    name: 'python stack frame',
    pattern: /\r?\n[ \t]*File "[^"\r\n]*", line \d+[^\r\n]*(?:\r?\n[ \t]+(?![ \t]|File ")[^\r\n]*)?/g,
    replace: ''
  },
  // `Authorization: Bearer x`, `x-api-key: x`, `api_key=x`, `"password": "x"`: the name stays, the value goes.
  {
    name: 'credential field',
    pattern: /\b((?:proxy-)?authorization|(?:x-)?(?:goog-)?api[_-]?key|x-auth-token|access[_-]?token|refresh[_-]?token|client[_-]?secret|(?:aws[_-]?)?secret[_-]?access[_-]?key|passw(?:or)?d)(["']?[ \t]{0,8}[:=][ \t]{0,8}["']?)((?:bearer|basic|token|digest)[ \t]{1,8})?(?!(?:bearer|basic|token|digest)\b)[^\s"',;*]{4,}/gi,
    replace: `$1$2$3${REDACTED}`
  },
  { name: 'bearer token', pattern: /\b(Bearer)[ \t]{1,8}[A-Za-z0-9._~+/=-]{16,}/gi, replace: `$1 ${REDACTED}` },
  // OpenAI `sk-`, `sk-proj-`, `sk-svcacct-`, Anthropic `sk-ant-api03-`, Stripe-style `sk_live_`.
  { name: 'sk- key', pattern: new RegExp(`(?<![A-Za-z0-9])(sk-|sk_|rk_)[${TOKEN}]{16,}`, 'g'), replace: `$1${REDACTED}` },
  { name: 'AWS access key id', pattern: /\b(AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}\b/g, replace: `$1${REDACTED}` },
  { name: 'Google API key', pattern: new RegExp(`\\b(AIza)[${TOKEN}]{30,}`, 'g'), replace: `$1${REDACTED}` },
  // Groq `gsk_`, Hugging Face `hf_`, GitHub `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_`/`github_pat_`, xAI `xai-`, Slack `xox?-`.
  {
    name: 'provider token',
    pattern: new RegExp(`(?<![A-Za-z0-9])(gsk_|hf_|gh[pousr]_|github_pat_|xai-|xox[abprs]-)[${TOKEN}]{20,}`, 'g'),
    replace: `$1${REDACTED}`
  },
  { name: 'JWT', pattern: new RegExp(`\\beyJ[${TOKEN}]{8,}\\.eyJ[${TOKEN}]{8,}\\.[${TOKEN}]{8,}`, 'g'), replace: REDACTED },
  // `https://user:password@host`
  { name: 'URL credentials', pattern: /\b([a-z][a-z0-9+.-]{0,20}:\/\/)[^\s/@:]{0,256}:[^\s/@]{1,256}@/gi, replace: `$1${REDACTED}@` },
  // Absolute file paths under the usual roots, Windows drive paths and file: URLs.
  {
    name: 'file path',
    pattern: /(?<![\w./\\-])(?:file:\/\/\/?|\/(?:home|Users|root|usr|var|srv|opt|app|tmp|etc|private|mnt|workspace|work|builds?|data|snap|proc|run|code|src|node_modules)\/|[A-Za-z]:\\)[^\s'"`()<>,;]*/g,
    replace: PATH_PLACEHOLDER
  }
]

/**
 * `text` with credentials, file paths and stack frames masked: `sk-...` keys become `sk-***`, `Bearer x`
 * becomes `Bearer ***`, an AWS key id `AKIA***`, a path `<path>`. Already masked text is left as it is.
 */
export function redact (text: string): string {
  let out = text.length > MAX_REDACT_CHARS ? text.slice(0, MAX_REDACT_CHARS) : text
  // A removed frame can join its neighbours into a new one: pass again until nothing changes (a few times at most).
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const before = out
    for (const { pattern, replace } of PATTERNS) out = out.replace(pattern, replace)
    if (out === before) break
  }
  // What was removed may leave blank edges ("Traceback ...:" and its frames before the error line).
  return out === text ? out : out.trim()
}
