/**
 * kafkajs 2.2.4's decoder of one fetched record (`protocol/recordBatch/record/v0/decoder.js`),
 * with the same result, without BigInt: kafkajs reads each record's timestamp delta through a
 * BigInt-backed Long, byte by byte, and adds offsets and timestamps as Longs, which made record
 * decoding a visible part of every fetch (`npm run bench:compare`, q7 on Kafka). Offsets and
 * timestamps are added as numbers while they are safe integers (any real offset or millisecond
 * time), as BigInts past that. `kafkajs-fixes.ts` installs it.
 *
 * @example
 * const record = decodeFetchedRecord(new Decoder(recordBytes), batchContext)
 * record.offset // '42'
 */

/** kafkajs's protocol Decoder, as far as this uses it. */
export interface KafkaJsDecoder {
  readonly buffer: Buffer
  offset: number
  readInt8(): number
  readVarInt(): number
  readVarLong(): { toString(): string }
  readVarIntBytes(): Buffer | null
  readVarIntString(): string | null
}

/** What kafkajs's batch decoder passes along with each record. */
export interface FetchedBatchContext {
  readonly firstOffset: string
  readonly firstTimestamp: string
  readonly magicByte?: number
  readonly isControlBatch?: boolean
  readonly timestampType?: number
  readonly maxTimestamp?: string
}

/** A fetched record as kafkajs hands it on. */
export interface FetchedRecord {
  readonly magicByte: number | undefined
  readonly attributes: number
  readonly timestamp: string
  readonly offset: string
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: Record<string, Buffer | null | (Buffer | null)[]>
  readonly isControlRecord: boolean
  readonly batchContext: FetchedBatchContext
}

const LOG_APPEND_TIME = 1

/**
 * Decodes the record at the decoder's position, as kafkajs's record decoder does.
 *
 * @example
 * decodeFetchedRecord(decoder, { firstOffset: '100', firstTimestamp: '1700000000000' }).offset // '100' for offset delta 0
 */
export function decodeFetchedRecord(decoder: KafkaJsDecoder, batchContext: FetchedBatchContext): FetchedRecord {
  const { firstOffset, firstTimestamp, magicByte, isControlBatch = false, timestampType, maxTimestamp } = batchContext
  const attributes = decoder.readInt8()
  const timestampDelta = readVarLong(decoder)
  const timestamp = timestampType === LOG_APPEND_TIME && maxTimestamp ? maxTimestamp : addDecimal(firstTimestamp, timestampBase.of(firstTimestamp), timestampDelta)
  const offset = addDecimal(firstOffset, offsetBase.of(firstOffset), decoder.readVarInt())
  const key = decoder.readVarIntBytes()
  const value = decoder.readVarIntBytes()
  const headers: Record<string, Buffer | null | (Buffer | null)[]> = {}
  const headerCount = decoder.readVarInt()
  for (let i = 0; i < headerCount; i++) {
    // kafkajs turns a null header key into the property "null"; so does this.
    const headerKey = String(decoder.readVarIntString())
    const headerValue = decoder.readVarIntBytes()
    const existing = Object.prototype.hasOwnProperty.call(headers, headerKey) ? headers[headerKey] : undefined
    if (existing === undefined) defineHeader(headers, headerKey, headerValue)
    else if (Array.isArray(existing)) existing.push(headerValue)
    else defineHeader(headers, headerKey, [existing, headerValue])
  }
  return { magicByte, attributes, timestamp, offset, key, value, headers, isControlRecord: isControlBatch, batchContext }
}

/** Sets a header as an own property, `__proto__` included (kafkajs's object spread does the same). */
function defineHeader(headers: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(headers, key, { value, enumerable: true, writable: true, configurable: true })
}

/** A zigzag varlong as a number when it fits in a safe integer, else as a bigint. */
function readVarLong(decoder: KafkaJsDecoder): number | bigint {
  const { buffer } = decoder
  const start = decoder.offset
  let result = 0
  let scale = 1
  for (let i = 0; i < 8; i++) {
    const byte = buffer[decoder.offset++]!
    result += (byte & 0x7f) * scale
    if (byte < 0x80) {
      if (result > Number.MAX_SAFE_INTEGER) break
      return result % 2 === 0 ? result / 2 : -(result + 1) / 2
    }
    scale *= 128
  }
  // Past a safe integer (2^53): kafkajs's own reader is exact there.
  decoder.offset = start
  return BigInt(decoder.readVarLong().toString())
}

/**
 * The last decimal text it was asked about, as a number: the records of a batch share their
 * batch's first offset and first timestamp, which are then parsed once a batch, not per record.
 */
class ParsedBase {
  private text = ''
  private value = Number.NaN

  of(text: string): number {
    if (text !== this.text) {
      this.text = text
      this.value = Number(text)
    }
    return this.value
  }
}

const offsetBase = new ParsedBase()
const timestampBase = new ParsedBase()

/** The decimal `base` (whose value is `baseValue`) plus `delta`, in decimal. */
function addDecimal(base: string, baseValue: number, delta: number | bigint): string {
  if (typeof delta === 'number' && Number.isSafeInteger(baseValue)) {
    const sum = baseValue + delta
    if (Number.isSafeInteger(sum)) return String(sum)
  }
  return String(BigInt(base) + BigInt(delta))
}
