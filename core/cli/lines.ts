import { addAbortSignal, type Readable } from 'node:stream'

export interface LineBatchOptions {
  /** The most lines one batch holds. */
  readonly maxLines: number
  /** Stops reading; an unfinished last line is dropped. */
  readonly signal?: AbortSignal
  /**
   * The longest line taken: a line that grows past it fails the read with `tooLong(bytes)` at
   * once, before more of it is held in memory.
   */
  readonly maxLineBytes?: number
  readonly tooLong?: (bytes: number) => Error
}

const NEWLINE = 0x0a
const CARRIAGE_RETURN = 0x0d

/**
 * Splits a byte stream into lines, given in batches: a batch is full at `maxLines`, and
 * is also given whenever the stream has nothing more ready, so a typed line goes out at
 * once while a piped file goes out in large batches. Lines are the raw bytes between
 * `\n`s (a `\r` before the `\n` is dropped); text after the last `\n` is a line only if
 * not empty, so `"a\nb\n"` is two lines. String chunks are taken as UTF-8.
 *
 * @example
 * for await (const lines of readLineBatches(process.stdin, { maxLines: 1000 })) send(lines)
 */
export async function* readLineBatches(input: Readable, options: LineBatchOptions): AsyncGenerator<Buffer[]> {
  const { maxLines, signal, maxLineBytes = Infinity } = options
  if (signal !== undefined) addAbortSignal(signal, input)
  const tooLong = options.tooLong ?? ((bytes: number) => new RangeError(`a line of more than ${bytes} bytes exceeds ${maxLineBytes}`))
  let unfinished: Buffer[] = []
  let unfinishedBytes = 0
  let batch: Buffer[] = []
  try {
    for await (const chunk of input) {
      const bytes = toBuffer(chunk)
      let start = 0
      for (let newline = bytes.indexOf(NEWLINE); newline !== -1; newline = bytes.indexOf(NEWLINE, start)) {
        const piece = bytes.subarray(start, newline)
        if (unfinishedBytes + piece.length > maxLineBytes + 1) throw tooLong(unfinishedBytes + piece.length)
        batch.push(withoutCarriageReturn(unfinished.length === 0 ? piece : Buffer.concat([...unfinished, piece])))
        unfinished = []
        unfinishedBytes = 0
        start = newline + 1
        if (batch.length === maxLines) {
          yield batch
          batch = []
        }
      }
      if (start < bytes.length) {
        unfinished.push(bytes.subarray(start))
        unfinishedBytes += bytes.length - start
        // +1: a carriage return before the newline is not part of the line.
        if (unfinishedBytes > maxLineBytes + 1) throw tooLong(unfinishedBytes)
      }
      if (batch.length > 0) {
        yield batch
        batch = []
      }
    }
  } catch (error) {
    if (signal?.aborted === true) return
    throw error
  }
  if (unfinished.length > 0) yield [withoutCarriageReturn(Buffer.concat(unfinished))]
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8')
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  throw new TypeError(`stdin gave a ${typeof chunk} chunk; expected bytes or text`)
}

function withoutCarriageReturn(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.subarray(0, -1) : line
}
