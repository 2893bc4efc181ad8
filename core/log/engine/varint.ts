/**
 * The byte primitives of Kafka's record format, written and read by hand so a record costs no allocation:
 *
 *   varint   zigzag int32, base-128, least significant group first, 1 to 5 bytes (protobuf's sint32)
 *   varlong  zigzag int64, 1 to 10 bytes (protobuf's sint64), exact here up to 2^53 - 1
 *   int64    big-endian, read and written as two 32-bit halves (a number, not a BigInt)
 *
 * Reads take the end of the enclosing field, throw `MalformedBytes` past it, and leave the position
 * after what they read in `cursor`, so each read returns one number.
 */

/** Bytes that do not parse; callers turn it into their own typed error with topic, partition and offset. */
export class MalformedBytes extends Error {}

/** Where the last readVarint/readVarlong stopped (an ESM live binding, read by importers). */
export let cursor = 0

const TWO_POW_32 = 4294967296

/**
 * Reads a big-endian int64 as a number, exact for safe integers.
 *
 * @example
 * readInt64(Buffer.from('ffffffffffffffff', 'hex'), 0) // -1
 */
export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_POW_32 + buf.readUInt32BE(pos + 4)
}

/**
 * Writes a safe integer as a big-endian int64.
 *
 * @example
 * writeInt64(buf, 0, 2 ** 40) // 00 00 01 00 00 00 00 00
 */
export function writeInt64(buf: Buffer, pos: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32)
  buf.writeInt32BE(high, pos)
  buf.writeUInt32BE(value - high * TWO_POW_32, pos + 4)
}

/**
 * How many bytes writeVarint takes for an int32.
 *
 * @example
 * varintBytes(-1) // 1 (zigzag 1)
 * varintBytes(64) // 2 (zigzag 128)
 */
export function varintBytes(value: number): number {
  const zigzag = ((value << 1) ^ (value >> 31)) >>> 0
  return zigzag < 0x80 ? 1 : zigzag < 0x4000 ? 2 : zigzag < 0x200000 ? 3 : zigzag < 0x10000000 ? 4 : 5
}

/**
 * Writes an int32 as a zigzag varint at `pos`; returns the position after it.
 *
 * @example
 * writeVarint(buf, 0, -1) // buf[0] = 0x01, returns 1
 */
export function writeVarint(buf: Buffer, pos: number, value: number): number {
  let zigzag = ((value << 1) ^ (value >> 31)) >>> 0
  while (zigzag >= 0x80) {
    buf[pos++] = (zigzag & 0x7f) | 0x80
    zigzag >>>= 7
  }
  buf[pos] = zigzag
  return pos + 1
}

/**
 * Reads a zigzag varint that must end before `end`; sets `cursor` after it.
 *
 * @example
 * readVarint(Buffer.from([0x80, 0x01]), 0, 2) // 64, and cursor is 2
 */
export function readVarint(buf: Buffer, pos: number, end: number): number {
  if (pos >= end) throw new MalformedBytes('a varint runs past the end of its field')
  let byte = buf[pos++]!
  let raw = byte & 0x7f
  for (let shift = 7; byte >= 0x80; shift += 7) {
    if (shift > 28) throw new MalformedBytes('a varint is longer than 5 bytes')
    if (pos >= end) throw new MalformedBytes('a varint runs past the end of its field')
    byte = buf[pos++]!
    raw |= (byte & 0x7f) << shift
  }
  cursor = pos
  return (raw >>> 1) ^ -(raw & 1)
}

/** Whether a varlong's zigzag value fits 31 bits, so the int32 varint code can take it. */
function isSmallLong(value: number): boolean {
  return value >= -0x40000000 && value < 0x40000000
}

/**
 * How many bytes writeVarlong takes for a safe integer.
 *
 * @example
 * varlongBytes(2 ** 40) // 6
 */
export function varlongBytes(value: number): number {
  if (isSmallLong(value)) return varintBytes(value)
  let bytes = 2
  for (let rest = Math.floor((value < 0 ? -value - 1 : value) / 64); rest >= 0x80; rest = Math.floor(rest / 128)) bytes++
  return bytes
}

/**
 * Writes a safe integer as a zigzag varlong; returns the position after it. zigzag(value) is 2b + sign with
 * b = value or -value - 1, and 2b can pass 2^53, so the groups are computed from b, arithmetically.
 *
 * @example
 * writeVarlong(buf, 0, -(2 ** 40)) // 6 bytes, returns 6
 */
export function writeVarlong(buf: Buffer, pos: number, value: number): number {
  if (isSmallLong(value)) return writeVarint(buf, pos, value)
  const negative = value < 0
  const b = negative ? -value - 1 : value
  buf[pos++] = ((b % 64) * 2 + (negative ? 1 : 0)) | 0x80
  let rest = Math.floor(b / 64)
  while (rest >= 0x80) {
    buf[pos++] = (rest % 128) | 0x80
    rest = Math.floor(rest / 128)
  }
  buf[pos] = rest
  return pos + 1
}

/**
 * Reads a zigzag varlong that must end before `end`; sets `cursor` after it. The mirror of writeVarlong:
 * values past 2^53 (only a foreign writer makes them) lose precision, never bounds.
 *
 * @example
 * readVarlong(Buffer.from([0x03]), 0, 1) // -2
 */
export function readVarlong(buf: Buffer, pos: number, end: number): number {
  if (pos >= end) throw new MalformedBytes('a varlong runs past the end of its field')
  const first = buf[pos++]!
  if (first < 0x80) {
    cursor = pos
    return (first >>> 1) ^ -(first & 1)
  }
  let rest = 0
  for (let scale = 1; ; scale *= 128) {
    if (scale > 2 ** 56) throw new MalformedBytes('a varlong is longer than 10 bytes')
    if (pos >= end) throw new MalformedBytes('a varlong runs past the end of its field')
    const byte = buf[pos++]!
    rest += (byte & 0x7f) * scale
    if (byte < 0x80) break
  }
  cursor = pos
  const b = ((first & 0x7f) >>> 1) + rest * 64
  return (first & 1) === 0 ? b : -b - 1
}
