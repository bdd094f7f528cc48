import { Readable } from 'node:stream'
import * as zlib from 'node:zlib'

// Reading the head of a response stream without losing a byte: what was read is replayed first,
// then the rest of the source, pulled one chunk at a time so backpressure holds.

/** True for a Node stream or a web ReadableStream. */
export function isStream (payload: unknown): payload is Readable | ReadableStream {
  if (typeof payload !== 'object' || payload === null) return false
  return typeof (payload as Readable).pipe === 'function' || typeof (payload as ReadableStream).getReader === 'function'
}

export function toNodeStream (payload: Readable | ReadableStream): Readable {
  return typeof (payload as Readable).pipe === 'function' ? payload as Readable : Readable.fromWeb(payload as any)
}

function toBuffer (value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  return Buffer.from(String(value))
}

const noop = (): void => {}

/** A stop signal for a peek: a deadline, or the client going away. */
export interface Stop {
  promise: Promise<'stop'>
  /** True once the client went away. */
  readonly closed: boolean
  clear: () => void
}

export function stopAfter (timeoutMs: number, closed: { once: (event: 'close', fn: () => void) => unknown, off: (event: 'close', fn: () => void) => unknown }): Stop {
  let resolve: (value: 'stop') => void = noop
  const promise = new Promise<'stop'>((resolve_) => { resolve = resolve_ })
  let clientGone = false
  const fire = (): void => resolve('stop')
  const gone = (): void => {
    clientGone = true
    resolve('stop')
  }
  const timer = setTimeout(fire, timeoutMs)
  closed.once('close', gone)
  return {
    promise,
    get closed () { return clientGone },
    clear () {
      clearTimeout(timer)
      closed.off('close', gone)
    }
  }
}

export class StreamPeek {
  readonly chunks: Buffer[] = []
  bytes = 0
  ended = false
  failure: unknown = undefined
  private readonly iterator: AsyncIterator<unknown>
  private pending: Promise<IteratorResult<unknown>> | null = null
  private readonly source: Readable

  constructor (source: Readable) {
    this.source = source
    this.iterator = source[Symbol.asyncIterator]()
  }

  /** Read one more chunk. False when the stream ended or failed, or the stop came first. */
  async read (stop: Promise<'stop'>): Promise<boolean> {
    if (this.ended || this.failure !== undefined) return false
    if (this.pending === null) {
      this.pending = this.iterator.next()
      this.pending.catch(noop) // a read still pending after a stop may fail later; its replay rethrows it
    }
    let result: IteratorResult<unknown> | 'stop'
    try {
      result = await Promise.race([this.pending, stop])
    } catch (error) {
      this.pending = null
      this.failure = error
      return false
    }
    if (result === 'stop') return false
    this.pending = null
    if (result.done === true) {
      this.ended = true
      return false
    }
    const chunk = toBuffer(result.value)
    this.chunks.push(chunk)
    this.bytes += chunk.length
    return true
  }

  /** A stream that fails at once with the source's error: nothing was sent yet, so the error handler can still answer. */
  failed (): Readable {
    const failure = this.failure as Error
    return new Readable({ read () { this.destroy(failure) } })
  }

  /** Everything read so far, joined. */
  head (): Buffer {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.bytes)
  }

  /** Stop reading and let the source go: its bytes will not be sent. */
  discard (): void {
    // Not iterator.return(): an async iterator mid-read would queue it behind a read that may never end.
    this.source.destroy()
  }

  /**
   * The bytes read so far, then the rest of the source, in order, pulled one chunk per read so
   * backpressure holds; an error the source raises later ends the replay with that error, as it would
   * without us. (A source that failed during the peek is `failed()`'s.) Destroying the replay (the client went away) releases the source at once, even mid-read.
   * `onChunk` sees each chunk after the head.
   */
  replay (onChunk?: (chunk: Buffer) => void): Readable {
    const peek = this
    let index = 0
    return new Readable({
      read () {
        if (index < peek.chunks.length) {
          this.push(peek.chunks[index++])
          return
        }
        const next = peek.pending ?? peek.iterator.next()
        peek.pending = null
        next.then((result) => {
          if (result.done === true) {
            peek.ended = true
            this.push(null)
            return
          }
          const chunk = toBuffer(result.value)
          onChunk?.(chunk)
          this.push(chunk)
        }, (error: Error) => { this.destroy(error) })
      },
      destroy (error, callback) {
        if (!peek.ended) peek.discard()
        callback(error)
      }
    })
  }
}

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
      // Some servers send raw deflate under this name.
      const zlibHeader = raw.length >= 2 && (raw[0] & 0x0f) === 8 && ((raw[0] << 8) | raw[1]) % 31 === 0
      return zlibHeader ? zlib.inflateSync(raw, options) : zlib.inflateRawSync(raw, options)
    }
    return zlib.gunzipSync(raw, options)
  } catch {
    return null
  }
}
