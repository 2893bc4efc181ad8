/**
 * Times (and segment ids) in store keys: 8 bytes, a big-endian two's-complement int64 with
 * the sign bit flipped, so that unsigned byte order (the backends' order) is numeric order,
 * negative times included: -1 is 7f ff ff ff ff ff ff ff, 0 is 80 00 00 00 00 00 00 00.
 */

/** Bytes of an encoded time. */
export const TIME_BYTES = 8

/** The largest time a key holds: bounds of scans use one past it. */
export const MAX_TIME = Number.MAX_SAFE_INTEGER
export const MIN_TIME = Number.MIN_SAFE_INTEGER

const TWO_32 = 2 ** 32

/**
 * Writes `time` (an integer within ±2^53) at `offset`; returns the offset after it.
 *
 * @example
 * const bytes = Buffer.alloc(8)
 * writeTime(bytes, -1, 0) // bytes: 7f ff ff ff ff ff ff ff
 */
export function writeTime(target: Buffer, time: number, offset: number): number {
  const high = Math.floor(time / TWO_32)
  const low = time - high * TWO_32
  target.writeUInt32BE((high + 0x80000000) >>> 0, offset)
  target.writeUInt32BE(low, offset + 4)
  return offset + TIME_BYTES
}

/**
 * Reads a time written by `writeTime`.
 *
 * @example
 * readTime(Buffer.from('8000000000000001', 'hex'), 0) // 1
 */
export function readTime(source: Buffer, offset: number): number {
  const high = source.readUInt32BE(offset) - 0x80000000
  return high * TWO_32 + source.readUInt32BE(offset + 4)
}

/**
 * A time alone, as a key prefix or scan bound.
 *
 * @example
 * timeBytes(0) // <Buffer 80 00 00 00 00 00 00 00>
 */
export function timeBytes(time: number): Buffer {
  const bytes = Buffer.allocUnsafe(TIME_BYTES)
  writeTime(bytes, time, 0)
  return bytes
}

/** Whether `time` can be stored: an integer within the safe range. */
export function isStorableTime(time: number): boolean {
  return Number.isSafeInteger(time)
}

/**
 * A query bound as an integer within the storable range: fractions round inward, and ±Infinity
 * (or anything beyond ±2^53) means "no bound".
 *
 * @example
 * clampTime(-Infinity, 'from') // Number.MIN_SAFE_INTEGER
 */
export function clampTime(time: number, side: 'from' | 'to'): number {
  const rounded = side === 'from' ? Math.ceil(time) : Math.floor(time)
  return Math.min(MAX_TIME, Math.max(MIN_TIME, rounded))
}
