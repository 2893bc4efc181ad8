import type { SeededRandom } from '../nexmark/random.js'

/** Makes one value from a record's random stream. */
export type MakeValue = (random: SeededRandom) => unknown

/** 2020-01-01T00:00:00Z: logical timestamps fall in the five years after it. */
const BASE_TIME_MS = 1_577_836_800_000
const FIVE_YEARS_MS = 5 * 365 * 86_400_000
const DAY_MS = 86_400_000
const BASE_DAY = BASE_TIME_MS / DAY_MS

/**
 * A generator for a logical type on `underlying` (the Avro type name it annotates), or undefined
 * for a logical type it does not know or that does not fit its underlying type (Avro then falls
 * back to the underlying type, and so do we). Values take the underlying type's form, as the
 * Avro serde writes them: timestamps are numbers, decimals two's-complement bytes.
 *
 * @example
 * logicalValue({ type: 'long', logicalType: 'timestamp-millis' }, 'long')?.(random) // 1650123456789
 */
export function logicalValue(definition: Readonly<Record<string, unknown>>, underlying: string, fixedSize?: number): MakeValue | undefined {
  const name = definition['logicalType']
  switch (`${String(name)}/${underlying}`) {
    case 'timestamp-millis/long':
    case 'local-timestamp-millis/long':
      return (random) => BASE_TIME_MS + random.below(FIVE_YEARS_MS)
    case 'timestamp-micros/long':
    case 'local-timestamp-micros/long':
      return (random) => (BASE_TIME_MS + random.below(FIVE_YEARS_MS)) * 1000 + random.below(1000)
    case 'date/int':
      return (random) => BASE_DAY + random.below(5 * 365)
    case 'time-millis/int':
      return (random) => random.below(DAY_MS)
    case 'time-micros/long':
      return (random) => random.below(DAY_MS) * 1000 + random.below(1000)
    case 'uuid/string':
      return uuid
    case 'decimal/bytes':
      return decimal(definition, undefined)
    case 'decimal/fixed':
      return decimal(definition, fixedSize)
    case 'duration/fixed':
      return fixedSize === 12 ? duration : undefined
    default:
      return undefined
  }
}

function uuid(random: SeededRandom): string {
  const bytes = Buffer.alloc(16)
  for (let i = 0; i < 16; i += 4) bytes.writeUInt32BE(random.nextUint32(), i)
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40 // version 4
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80 // RFC 4122 variant
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** Months, days and milliseconds as three little-endian unsigned 32-bit integers. */
function duration(random: SeededRandom): Buffer {
  const bytes = Buffer.alloc(12)
  bytes.writeUInt32LE(random.below(240), 0)
  bytes.writeUInt32LE(random.below(31), 4)
  bytes.writeUInt32LE(random.below(DAY_MS), 8)
  return bytes
}

/**
 * An unscaled integer of at most `precision` digits (and at most 15, so it is exact in a double)
 * in big-endian two's complement: the shortest form for bytes, sign-extended to `size` for fixed.
 */
function decimal(definition: Readonly<Record<string, unknown>>, size: number | undefined): MakeValue | undefined {
  const precision = definition['precision']
  if (typeof precision !== 'number' || !Number.isInteger(precision) || precision < 1) return undefined
  let digits = Math.min(precision, 15)
  // A fixed of `size` bytes holds up to 2^(8·size − 1) − 1: keep fewer digits when it is small.
  if (size !== undefined) digits = Math.min(digits, Math.floor((8 * size - 1) * Math.log10(2)))
  if (digits < 1) return undefined
  const bound = 10 ** digits
  return (random) => {
    const magnitude = random.below(bound)
    return twosComplement(BigInt(random.below(2) === 0 ? magnitude : -magnitude), size)
  }
}

function twosComplement(value: bigint, size: number | undefined): Buffer {
  let length = 1
  while (value >= 1n << BigInt(8 * length - 1) || value < -(1n << BigInt(8 * length - 1))) length++
  const total = size ?? length
  const bytes = Buffer.alloc(total, value < 0n ? 0xff : 0x00)
  let rest = BigInt.asUintN(8 * length, value)
  for (let i = total - 1; i >= total - length; i--) {
    bytes[i] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return bytes
}
