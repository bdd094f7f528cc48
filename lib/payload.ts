// Cheap byte-level gates that run before any JSON.parse: most success bodies never get past them.

const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const COLON = 0x3a
const ERROR = '"error"'
const OBJECT = '"object"'
const TYPE = '"type"'
const BARE_MESSAGE = /^\s*\{\s*"(?:message|Message)"\s*:/

/** Text or bytes, read the same way: a char code at an index, and a search. */
interface Source {
  length: number
  at: (index: number) => number
  find: (needle: string, from: number) => number
  head: (start: number, end: number) => string
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

function mayBeError (source: Source): boolean {
  const start = skipSpace(source, 0, 1)
  const first = source.at(start)
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return false
  return namesError(source) || (first === OPEN_BRACE && BARE_MESSAGE.test(source.head(start, start + 32)))
}

/** True when a JSON text may hold an error envelope: an `"error"` key, a flat `"object":"error"` or `"type":"error"`, or a bare `{"message"`. */
export function mayBeErrorText (text: string): boolean {
  return mayBeError({
    length: text.length,
    at: (index) => text.charCodeAt(index),
    find: (needle, from) => text.indexOf(needle, from),
    head: (start, end) => text.slice(start, end)
  })
}

/** The same gate over bytes, without decoding the whole buffer. */
export function mayBeErrorBytes (bytes: Buffer): boolean {
  return mayBeError({
    length: bytes.length,
    at: (index) => bytes[index],
    find: (needle, from) => bytes.indexOf(needle, from),
    head: (start, end) => bytes.toString('latin1', start, end)
  })
}

/** Content types we parse: JSON and its relatives (`+json`, `x-ndjson`), or none at all. */
export function isJsonContentType (contentType: unknown): boolean {
  if (contentType === undefined) return true
  return typeof contentType === 'string' && contentType.toLowerCase().includes('json')
}
