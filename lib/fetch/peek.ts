// Peeking into a web ReadableStream: read its head within bounds, then hand on a stream that gives the chunks
// read and then the rest from the same reader, byte for byte, pulled only as fast as the consumer reads.

/** The value `read` races against: the bounds ran out. */
export const STOPPED: unique symbol = Symbol('stopped')

type Chunk = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>

const ignore = (): void => {}

export class WebPeek {
  readonly chunks: Uint8Array[] = []
  bytes = 0
  ended = false
  failure: unknown = undefined
  /** A read the bounds cut short: its chunk is the next one the replay gives. */
  private pending: Promise<Chunk> | null = null

  constructor (private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /**
   * Read one more chunk. False when the stream ended or failed, or `stop` settled first. Callers stop at the first
   * false; a read past the end would only get `done` (or the failure) again from the reader.
   */
  async read (stop: Promise<typeof STOPPED>): Promise<boolean> {
    if (this.pending === null) {
      this.pending = this.reader.read()
      // A read left pending when nobody replays it must not fail unhandled.
      this.pending.catch(ignore)
    }
    let result: Chunk | typeof STOPPED
    try {
      result = await Promise.race([this.pending, stop])
    } catch (error) {
      this.pending = null
      this.failure = error
      return false
    }
    if (result === STOPPED) return false
    this.pending = null
    if (result.done) {
      this.ended = true
      return false
    }
    this.chunks.push(result.value)
    this.bytes += result.value.byteLength
    return true
  }

  /** Everything read so far, joined. */
  head (): Buffer {
    return Buffer.concat(this.chunks, this.bytes)
  }

  /** The body as it came: the chunks read, then (pulled as the consumer reads) the rest, or the failure it met. */
  replay (): ReadableStream<Uint8Array> {
    const queued = this.chunks.slice()
    const { reader, failure, ended } = this
    let pending = this.pending
    return new ReadableStream<Uint8Array>({
      async pull (controller) {
        const next = queued.shift()
        if (next !== undefined) return controller.enqueue(next)
        if (failure !== undefined) return controller.error(failure)
        if (ended) return controller.close()
        try {
          const result = await (pending ?? reader.read())
          pending = null
          if (result.done) controller.close()
          else controller.enqueue(result.value)
        } catch (error) {
          controller.error(error)
        }
      },
      async cancel (reason) {
        await reader.cancel(reason)
      }
    }, { highWaterMark: 0 })
  }

  /** The rest will not be sent (an error was answered instead): let the source go. */
  cancel (): void {
    this.reader.cancel().catch(ignore)
  }
}
