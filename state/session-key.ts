/**
 * The key of a session store entry, in the backend and verbatim in the changelog (a restore
 * writes changelog keys back as they are, so everything is derivable from the bytes):
 *
 *   SessionKey =>
 *     segment      int64   floor(end / segmentIntervalMs), time-encoded (see time-bytes.ts)
 *     keyLength    uint32  big-endian
 *     key          bytes   the serialized record key, keyLength bytes
 *     end          int64   session end in ms, time-encoded
 *     start        int64   session start in ms, time-encoded
 *
 * Sessions are segmented by their end, which retention counts from. Within a segment, the
 * sessions of one key are a contiguous run ordered by end, then start, so "the sessions of k
 * ending at or after t" is one scan per segment.
 */
import { MAX_TIME, MIN_TIME, TIME_BYTES, readTime, writeTime } from './time-bytes.js'

const LENGTH_BYTES = 4
const HEADER_BYTES = TIME_BYTES + LENGTH_BYTES

/** A decoded session key. */
export interface SessionKeyParts {
  readonly segment: number
  readonly key: Buffer
  readonly start: number
  readonly end: number
}

/**
 * The key of `key`'s session [start, end], in `segment`.
 *
 * @example
 * encodeSessionKey(0, Buffer.from('a'), 5, 9) // 8000000000000000 00000001 61 8000000000000009 8000000000000005
 */
export function encodeSessionKey(segment: number, key: Buffer, start: number, end: number): Buffer {
  const bytes = Buffer.allocUnsafe(HEADER_BYTES + key.length + 2 * TIME_BYTES)
  writeTime(bytes, segment, 0)
  bytes.writeUInt32BE(key.length, TIME_BYTES)
  key.copy(bytes, HEADER_BYTES)
  writeTime(bytes, start, writeTime(bytes, end, HEADER_BYTES + key.length))
  return bytes
}

/**
 * Splits a session key into its parts; `key` shares memory with `bytes`.
 *
 * @example
 * decodeSessionKey(encodeSessionKey(0, Buffer.from('a'), 5, 9)) // { segment: 0, key: <61>, start: 5, end: 9 }
 */
export function decodeSessionKey(bytes: Buffer): SessionKeyParts {
  const length = bytes.readUInt32BE(TIME_BYTES)
  if (bytes.length !== HEADER_BYTES + length + 2 * TIME_BYTES) throw new RangeError(`not a session key: ${bytes.length} bytes for a key of ${length}`)
  const at = HEADER_BYTES + length
  return { segment: readTime(bytes, 0), key: bytes.subarray(HEADER_BYTES, at), end: readTime(bytes, at), start: readTime(bytes, at + TIME_BYTES) }
}

/**
 * Bounds of the scan of `key`'s sessions in `segment` ending at or after `earliestEnd`.
 *
 * @example
 * for await (const entry of bytes.range(sessionKeyRange(0, key, 1_000))) …
 */
export function sessionKeyRange(segment: number, key: Buffer, earliestEnd: number): { readonly gte: Buffer; readonly lt: Buffer } {
  // Every end is at most MAX_TIME, so an end one past it bounds the key's run.
  return { gte: encodeSessionKey(segment, key, MIN_TIME, earliestEnd), lt: encodeSessionKey(segment, key, MIN_TIME, MAX_TIME + 1) }
}
