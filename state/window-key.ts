/**
 * The key of a window store entry, in the backend and verbatim in the changelog (a restore
 * writes changelog keys back as they are, so everything is derivable from the bytes):
 *
 *   WindowKey =>
 *     segment      int64   floor(start / segmentIntervalMs), time-encoded (see time-bytes.ts)
 *     keyLength    uint32  big-endian
 *     key          bytes   the serialized record key, keyLength bytes
 *     start        int64   window start in ms, time-encoded
 *
 * Segment first lets retention drop a span of time with one range delete; the key's length
 * before the key keeps a key apart from the keys it prefixes ("a" never interleaves with
 * "ab"); start last makes the windows of one key in one segment a contiguous run in time order.
 * Within a segment, keys sort by length, then bytes.
 */
import { TIME_BYTES, readTime, writeTime } from './time-bytes.js'

const LENGTH_BYTES = 4
const HEADER_BYTES = TIME_BYTES + LENGTH_BYTES

/** A decoded window key. */
export interface WindowKeyParts {
  readonly segment: number
  readonly key: Buffer
  readonly start: number
}

/**
 * The key of `key`'s window starting at `start`, in `segment`.
 *
 * @example
 * encodeWindowKey(0, Buffer.from('a'), 5) // 8000000000000000 00000001 61 8000000000000005
 */
export function encodeWindowKey(segment: number, key: Buffer, start: number): Buffer {
  const bytes = Buffer.allocUnsafe(HEADER_BYTES + key.length + TIME_BYTES)
  const offset = writeKeyPrefix(bytes, segment, key)
  writeTime(bytes, start, offset)
  return bytes
}

/**
 * Splits a window key into its parts; `key` shares memory with `bytes`.
 *
 * @example
 * decodeWindowKey(encodeWindowKey(0, Buffer.from('a'), 5)) // { segment: 0, key: <61>, start: 5 }
 */
export function decodeWindowKey(bytes: Buffer): WindowKeyParts {
  const length = bytes.readUInt32BE(TIME_BYTES)
  if (bytes.length !== HEADER_BYTES + length + TIME_BYTES) throw new RangeError(`not a window key: ${bytes.length} bytes for a key of ${length}`)
  return {
    segment: readTime(bytes, 0),
    key: bytes.subarray(HEADER_BYTES, HEADER_BYTES + length),
    start: readTime(bytes, HEADER_BYTES + length),
  }
}

/**
 * Bounds of the scan of `key`'s windows in `segment` starting within [from, to].
 *
 * @example
 * for await (const entry of bytes.range(windowKeyRange(0, key, 0, 59_999))) …
 */
export function windowKeyRange(segment: number, key: Buffer, from: number, to: number): { readonly gte: Buffer; readonly lt: Buffer } {
  return { gte: encodeWindowKey(segment, key, from), lt: encodeWindowKey(segment, key, to + 1) }
}

function writeKeyPrefix(target: Buffer, segment: number, key: Buffer): number {
  writeTime(target, segment, 0)
  target.writeUInt32BE(key.length, TIME_BYTES)
  key.copy(target, HEADER_BYTES)
  return HEADER_BYTES + key.length
}
