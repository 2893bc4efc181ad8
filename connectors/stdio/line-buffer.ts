import type { Readable } from 'node:stream'

/** Bytes buffered before the input is paused until polls take lines out. */
const HIGH_WATER_BYTES = 4 << 20
const LF = 0x0a
const CR = 0x0d

/**
 * The lines of a readable stream, taken out in batches: whole lines as they come (LF or CRLF
 * ended), the last one without a line break once the stream ends. The stream is paused while
 * more than 4 MiB wait, so a slow consumer holds a bounded amount.
 *
 * @example
 * const lines = new LineBuffer(process.stdin)
 * await lines.waitForInput(500, signal)
 * for (const line of lines.take(100)) console.log(line.toString())
 */
export class LineBuffer {
  private chunks: Buffer[] = []
  private buffered = 0
  private ended = false
  private failure: Error | undefined
  private wake: (() => void) | undefined
  /** Lines taken so far, for locations. */
  lineCount = 0

  constructor(private readonly input: Readable) {
    input.on('data', this.onData)
    input.once('end', this.onEnd)
    input.once('error', this.onError)
  }

  /** Stops reading the stream (it stays open: it is not ours to close). */
  close(): void {
    this.input.off('data', this.onData)
    this.input.off('end', this.onEnd)
    this.input.off('error', this.onError)
    this.input.pause()
    this.notify()
  }

  /** Up to `max` whole lines, without their line breaks (empty lines included). */
  take(max: number): Buffer[] {
    if (this.failure !== undefined) throw this.failure
    if (this.chunks.length === 0) return []
    const bytes = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered)
    const lines: Buffer[] = []
    let start = 0
    while (lines.length < max) {
      const lineEnd = bytes.indexOf(LF, start)
      if (lineEnd < 0) break
      lines.push(bytes.subarray(start, lineEnd > start && bytes[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd))
      start = lineEnd + 1
    }
    if (this.ended && lines.length < max && start < bytes.length) {
      lines.push(bytes.subarray(start))
      start = bytes.length
    }
    const rest = bytes.subarray(start)
    this.chunks = rest.length === 0 ? [] : [rest]
    this.buffered = rest.length
    this.lineCount += lines.length
    if (this.buffered <= HIGH_WATER_BYTES && this.input.isPaused()) this.input.resume()
    return lines
  }

  /** Resolves when input arrives or ends, after `timeoutMs`, or when `signal` aborts. */
  waitForInput(timeoutMs: number, signal: AbortSignal, setTimer: (callback: () => void, ms: number) => () => void): Promise<void> {
    // Once the stream has ended, nothing wakes the wait but the timeout or the signal: a poll
    // after the end waits its full time rather than spinning the runner's loop.
    if ((this.ended && this.buffered > 0) || this.failure !== undefined || signal.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const done = (): void => {
        cancel()
        signal.removeEventListener('abort', done)
        this.wake = undefined
        resolve()
      }
      const cancel = setTimer(done, timeoutMs)
      signal.addEventListener('abort', done, { once: true })
      this.wake = done
    })
  }

  private readonly onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    this.chunks.push(bytes)
    this.buffered += bytes.length
    if (this.buffered > HIGH_WATER_BYTES) this.input.pause()
    this.notify()
  }

  private readonly onEnd = (): void => {
    this.ended = true
    this.notify()
  }

  private readonly onError = (error: Error): void => {
    this.failure = error
    this.notify()
  }

  private notify(): void {
    this.wake?.()
  }
}
