import { promisify } from 'node:util'
import * as zlib from 'node:zlib'
import { hasZlibHeader, inflateHead } from './inflate-head'

// Reading compressed response bodies, whole or only their head, with a bound on what they decode to.

/** `content-encoding` values we can read; anything else is sent on unread. */
export function isReadableEncoding (encoding: unknown): boolean {
  return encoding === undefined || (typeof encoding === 'string' && /^(?:identity|gzip|x-gzip|deflate|br)$/i.test(encoding.trim()))
}

/**
 * The decoded bytes of a (possibly partial) compressed body, at most `maxBytes` of them; null when the
 * bytes are not what the encoding says or decode to more than `maxBytes`.
 */
export function decode (raw: Buffer, encoding: string | undefined, partial: boolean, maxBytes: number): Buffer | null {
  const name = (encoding ?? 'identity').trim().toLowerCase()
  if (name === 'identity') return raw
  try {
    if (name === 'br') {
      return zlib.brotliDecompressSync(raw, {
        finishFlush: partial ? zlib.constants.BROTLI_OPERATION_FLUSH : zlib.constants.BROTLI_OPERATION_FINISH,
        maxOutputLength: maxBytes
      })
    }
    const options = { finishFlush: partial ? zlib.constants.Z_SYNC_FLUSH : zlib.constants.Z_FINISH, maxOutputLength: maxBytes }
    if (name === 'deflate') {
      return hasZlibHeader(raw) ? zlib.inflateSync(raw, options) : zlib.inflateRawSync(raw, options)
    }
    return zlib.gunzipSync(raw, options)
  } catch {
    return null
  }
}

/**
 * The first bytes of a compressed head, at most `maxBytes` of them, for a look at it: gzip and deflate are inflated
 * here, only as far as that (inflate-head.ts); undefined for br, which `decodeAsync` reads. Null when the bytes are
 * not what the encoding says.
 */
export function decodeHead (raw: Buffer, encoding: string, maxBytes: number): Buffer | null | undefined {
  const name = encoding.trim().toLowerCase()
  if (name === 'identity') return raw
  if (name === 'gzip' || name === 'x-gzip') return inflateHead(raw, 'gzip', maxBytes)
  return name === 'deflate' ? inflateHead(raw, 'deflate', maxBytes) : undefined
}

const gunzip = promisify(zlib.gunzip)
const inflate = promisify(zlib.inflate)
const inflateRaw = promisify(zlib.inflateRaw)
const brotliDecompress = promisify(zlib.brotliDecompress)

// Compressed bodies up to this size are decoded in place: zlib's thread pool costs about 180 us of CPU per call
// (a 1 KB gzip body: 12 us in place), and decoding stops at maxBytes of output, so a small input never holds the
// event loop long. Larger ones are decoded off it.
const IN_PLACE_DECODE_BYTES = 4096

/**
 * The decoded bytes of a (possibly partial) compressed body, at most `maxBytes` of them, as `decode` gives them;
 * off the event loop (zlib's thread pool) for an input of more than 4 KiB. Null when the bytes are not what the
 * encoding says or decode to more than `maxBytes`.
 */
export async function decodeAsync (raw: Buffer, encoding: string | undefined, partial: boolean, maxBytes: number): Promise<Buffer | null> {
  const name = (encoding ?? 'identity').trim().toLowerCase()
  if (name === 'identity') return raw
  if (raw.length <= IN_PLACE_DECODE_BYTES) return decode(raw, name, partial, maxBytes)
  try {
    if (name === 'br') {
      return await brotliDecompress(raw, {
        finishFlush: partial ? zlib.constants.BROTLI_OPERATION_FLUSH : zlib.constants.BROTLI_OPERATION_FINISH,
        maxOutputLength: maxBytes
      })
    }
    const options = { finishFlush: partial ? zlib.constants.Z_SYNC_FLUSH : zlib.constants.Z_FINISH, maxOutputLength: maxBytes }
    if (name === 'deflate') return await (hasZlibHeader(raw) ? inflate(raw, options) : inflateRaw(raw, options))
    return await gunzip(raw, options)
  } catch {
    return null
  }
}
