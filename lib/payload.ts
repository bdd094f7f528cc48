// Cheap byte-level gates that run before any JSON.parse: most success bodies never get past them.

const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b

function isSpace (code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09
}

function firstCodeAt (get: (index: number) => number, length: number): number {
  let index = 0
  while (index < length && isSpace(get(index))) index++
  return index
}

const BARE_MESSAGE = /^\s*\{\s*"(?:message|Message)"\s*:/

/** True when a JSON text may hold an error envelope: an object or array naming `"error"`, or a bare `{"message"`. */
export function mayBeErrorText (text: string): boolean {
  const start = firstCodeAt((i) => text.charCodeAt(i), text.length)
  const first = text.charCodeAt(start)
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return false
  return text.includes('"error"') || (first === OPEN_BRACE && BARE_MESSAGE.test(text.slice(start, start + 32)))
}

/** The same gate over bytes, without decoding the whole buffer. */
export function mayBeErrorBytes (bytes: Buffer): boolean {
  const start = firstCodeAt((i) => bytes[i], bytes.length)
  const first = bytes[start]
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return false
  return bytes.includes('"error"') || (first === OPEN_BRACE && BARE_MESSAGE.test(bytes.toString('latin1', start, start + 32)))
}

/** Content types we parse: JSON and its relatives (`+json`, `x-ndjson`), or none at all. */
export function isJsonContentType (contentType: unknown): boolean {
  if (contentType === undefined) return true
  return typeof contentType === 'string' && contentType.toLowerCase().includes('json')
}
