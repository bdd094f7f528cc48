// Cheap byte-level gates that run before any JSON.parse: most success bodies never get past them.

const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const COLON = 0x3a
const ERROR = '"error"'
const OBJECT = '"object"'
const TYPE = '"type"'
// Sticky (y): tested at the body's first non-space character, they read a few characters and never scan.
const BARE_MESSAGE = /\{\s*"(?:message|Message|__type|request_id|requestId)"\s*:/y
// A body whose first key marks a resource (an OpenAI object starts with "id" or "object") is never an envelope
// (envelope.ts says the same of any such key): this rules out most success bodies without scanning them.
const RESOURCE_FIRST_KEY = /\{\s*(?:"(?:id|choices|data|output|results|candidates|usage|created|created_at)"\s*:|"object"\s*:\s*"(?!error")[^"]*")/y

function matchesAt (pattern: RegExp, text: string, index: number): boolean {
  pattern.lastIndex = index
  return pattern.test(text)
}

/** Text or bytes, read the same way: a char code at an index, and a search. */
interface Source {
  length: number
  at: (index: number) => number
  find: (needle: string, from: number) => number
}

function isSpace (code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09
}

function skipSpace (source: Source, index: number, step: 1 | -1): number {
  while (index >= 0 && index < source.length && isSpace(source.at(index))) index += step
  return index
}

function endsWithAt (source: Source, word: string, end: number): boolean {
  const start = end - word.length + 1
  if (start < 0) return false
  for (let i = 0; i < word.length; i++) {
    if (source.at(start + i) !== word.charCodeAt(i)) return false
  }
  return true
}

/** `"error":` as a key, or `"object": "error"` / `"type": "error"` (the flat shapes). */
function namesError (source: Source): boolean {
  for (let index = source.find(ERROR, 0); index !== -1; index = source.find(ERROR, index + ERROR.length)) {
    if (source.at(skipSpace(source, index + ERROR.length, 1)) === COLON) return true
    const before = skipSpace(source, index - 1, -1)
    if (before >= 0 && source.at(before) === COLON) {
      const end = skipSpace(source, before - 1, -1)
      if (endsWithAt(source, OBJECT, end) || endsWithAt(source, TYPE, end)) return true
    }
  }
  return false
}

/** After the first character: a resource's first key rules the body out; else scan for `"error"`, or a bare message. */
function mayBeError (head: string, at: number, source: () => Source): boolean {
  const first = head.charCodeAt(at)
  if (first === OPEN_BRACE) {
    return !matchesAt(RESOURCE_FIRST_KEY, head, at) && (namesError(source()) || matchesAt(BARE_MESSAGE, head, at))
  }
  return first === OPEN_BRACKET && namesError(source())
}

/** True when a JSON text may hold an error envelope: an `"error"` key, a flat `"object":"error"` or `"type":"error"`, or a bare `{"message"`. */
export function mayBeErrorText (text: string): boolean {
  let start = 0
  while (start < text.length && isSpace(text.charCodeAt(start))) start++
  return mayBeError(text, start, () => ({
    length: text.length,
    at: (index) => text.charCodeAt(index),
    find: (needle, from) => text.indexOf(needle, from)
  }))
}

/** The first 64 bytes of a body after its leading white space, as latin1 text: what the sticky patterns read. */
function headOf (bytes: Buffer): string {
  let start = 0
  while (start < bytes.length && isSpace(bytes[start])) start++
  return bytes.toString('latin1', start, start + 64)
}

/** The same gate over bytes, decoding only the first 64 of them. */
export function mayBeErrorBytes (bytes: Buffer): boolean {
  return mayBeError(headOf(bytes), 0, () => ({
    length: bytes.length,
    at: (index) => bytes[index],
    find: (needle, from) => bytes.indexOf(needle, from)
  }))
}

/**
 * True when the first bytes of a JSON body already rule it out: not an object or array, or an object whose
 * first key marks a resource. For stream bodies, decided on their first chunk.
 */
export function headRulesOut (bytes: Buffer): boolean {
  const head = headOf(bytes)
  if (head === '') return false
  const first = head.charCodeAt(0)
  return first === OPEN_BRACE ? matchesAt(RESOURCE_FIRST_KEY, head, 0) : first !== OPEN_BRACKET
}

/** Content types we parse: JSON and its relatives (`+json`, `x-ndjson`), or none at all. */
export function isJsonContentType (contentType: unknown): boolean {
  if (contentType === undefined) return true
  return typeof contentType === 'string' && contentType.toLowerCase().includes('json')
}
