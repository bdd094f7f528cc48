import { EventEmitter } from 'node:events'
import { Readable } from 'node:stream'

// Reading the head of a response stream without losing a byte: what was read goes back in front of the
// source, and the source itself is sent.

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

/** What the peek needs of the client's response: whether it is gone (Node's ServerResponse sets `destroyed`). */
export interface ClosingClient {
  readonly destroyed?: boolean
}

// One coarse clock for every peek in the process, instead of a timer and a 'close' listener per streamed
// response: while any peek waits, it ticks, ends the peeks past their deadline and those whose client left.
const TICK_MS = 20
const waiting = new Set<Stop>()
let ticker: NodeJS.Timeout | null = null

function tick (): void {
  const now = Date.now()
  for (const stop of waiting) stop.check(now)
  if (waiting.size === 0) {
    clearInterval(ticker as NodeJS.Timeout)
    ticker = null
  }
}

/**
 * The end of a peek: a deadline (give or take one tick of the shared clock), or the client going away. The clock
 * starts at the first wait, so a body whose head is already there costs nothing.
 */
export class Stop {
  /** True once the deadline passed or the client went away. */
  stopped = false
  /** True once the client went away. */
  closed = false
  private deadline = -1
  private waker: (() => void) | null = null
  private readonly timeoutMs: number
  private readonly client: ClosingClient

  constructor (timeoutMs: number, client: ClosingClient) {
    this.timeoutMs = timeoutMs
    this.client = client
  }

  /** Call `wake` when the stop comes; the first call starts the clock. */
  arm (wake: () => void): void {
    this.waker = wake
    if (this.deadline !== -1) return
    this.deadline = Date.now() + this.timeoutMs
    // A client that left before the first wait stops it at once.
    if (this.client.destroyed === true) return this.gone()
    waiting.add(this)
    // Kept referenced: a waiting peek must come to its end. It stops when nothing waits.
    if (ticker === null) ticker = setInterval(tick, TICK_MS)
  }

  /** One tick of the shared clock. */
  check (now: number): void {
    if (this.client.destroyed === true) this.gone()
    else if (now >= this.deadline) this.fire()
  }

  clear (): void {
    waiting.delete(this)
  }

  private fire (): void {
    waiting.delete(this)
    this.stopped = true
    this.waker?.()
  }

  private gone (): void {
    this.closed = true
    this.fire()
  }
}

function prematureClose (): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' })
}

// An error answered in place of a stream: the rest of it is read away, up to these bounds, so that the
// upstream connection can serve another request; past them the source is destroyed.
const DRAIN_BYTES = 64 * 1024
const DRAIN_MS = 1000

/**
 * The head of a source stream, read in paused mode ('readable' and read(), no promise per chunk). What was
 * read goes back in front of the source for sending, and the source itself is sent: after the head, its
 * bytes reach the client the way they would without us.
 */
export class StreamPeek {
  /** What was read, as bytes. */
  readonly chunks: Buffer[] = []
  bytes = 0
  ended = false
  failure: unknown = undefined
  /** What was read, as the source gave it (strings and objects in object mode), for putting back. */
  private readonly values: unknown[] = []
  private readonly source: Readable
  private waker: (() => void) | null = null
  private watching = true

  constructor (source: Readable) {
    this.source = source
    source.on('readable', this.wake)
    source.on('end', this.onEnd)
    source.on('close', this.onClose)
    // Kept for the source's whole life: an error between the hand-off and Fastify's own listener must not throw.
    source.on('error', this.onError)
    if (source.readableEnded) this.ended = true
    else if (source.destroyed) this.failure = source.errored ?? prematureClose()
  }

  /** Read one more chunk. False when the stream ended or failed, or the stop came first. */
  async read (stop: Stop): Promise<boolean> {
    for (;;) {
      if (this.ended || this.failure !== undefined || stop.stopped) return false
      const value: unknown = this.source.read()
      if (value !== null) {
        const chunk = toBuffer(value)
        this.values.push(value)
        this.chunks.push(chunk)
        this.bytes += chunk.length
        return true
      }
      await new Promise<void>((resolve) => {
        this.waker = resolve
        stop.arm(this.wake)
      })
    }
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

  /** The client is gone: let the source go at once. */
  discard (): void {
    this.unwatch()
    this.source.destroy()
  }

  /**
   * The bytes will not be sent (an error was answered instead): read the rest away, within bounds, so the
   * upstream connection is not closed for it.
   */
  drain (): void {
    this.unwatch()
    if (this.ended || this.source.destroyed) return
    const source = this.source
    let left = DRAIN_BYTES
    const stop = (): void => { source.destroy() }
    const timer = setTimeout(stop, DRAIN_MS)
    timer.unref()
    source.once('close', () => clearTimeout(timer))
    source.on('data', (chunk: unknown) => {
      left -= toBuffer(chunk).length
      if (left < 0) stop()
    })
    source.resume()
  }

  /**
   * Everything to send: the bytes read so far, then the rest of the source, in order and with the source's
   * backpressure; an error the source raises later ends it with that error, as it would without us. (A source
   * that failed during the peek is `failed()`'s.) Fastify destroys what it sends when the client goes away,
   * which destroys the source.
   *
   * `onChunk` sees each chunk after the head once the stream flows (Fastify pipes it): a 'data' listener added
   * with the consumer's own, so that no second stream stands between the source and the client. (Added any
   * earlier, it would start the flow before anyone reads it.) A consumer that reads in paused mode is not watched.
   */
  replay (onChunk?: (chunk: Buffer) => void): Readable {
    this.unwatch()
    if (this.ended) return Readable.from(this.values, { objectMode: this.source.readableObjectMode })
    const source = this.source
    // A string read from a source with an encoding goes back in that encoding, or it would be decoded twice.
    const encoding = source.readableEncoding ?? undefined
    for (let i = this.values.length - 1; i >= 0; i--) source.unshift(this.values[i] as Buffer | string, encoding)
    if (onChunk !== undefined) {
      // The watch sees the 'data' events the consumer sees, from the same moment: the head's values one by one
      // (a flowing stream gives back what was put in front of it one value at a time), then the rest.
      let headLeft = this.values.length
      const watch = (chunk: unknown): void => {
        if (headLeft > 0) headLeft--
        else onChunk(toBuffer(chunk))
      }
      const attach = (event: string | symbol): void => {
        if (event !== 'data') return
        source.off('newListener', attach)
        // EventEmitter's own `on`: Readable's would start the flow here, before the consumer's listener is added.
        EventEmitter.prototype.on.call(source, 'data', watch)
      }
      source.on('newListener', attach)
    }
    return source
  }

  /** Stop listening for the peek: from here on the source belongs to whoever reads it. */
  private unwatch (): void {
    if (!this.watching) return
    this.watching = false
    this.source.off('readable', this.wake)
    this.source.off('end', this.onEnd)
    this.source.off('close', this.onClose)
  }

  private readonly wake = (): void => {
    const waker = this.waker
    if (waker === null) return
    this.waker = null
    waker()
  }

  private readonly onEnd = (): void => {
    this.ended = true
    this.wake()
  }

  private readonly onClose = (): void => {
    if (!this.ended && this.failure === undefined) this.failure = prematureClose()
    this.wake()
  }

  private readonly onError = (error: unknown): void => {
    if (this.watching && this.failure === undefined) this.failure = error
    this.wake()
  }
}
