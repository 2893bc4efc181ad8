/**
 * Confluent's schema-registry wire format, which every Kafka Avro client reads and writes:
 *
 *   magic     int8    0
 *   schemaId  int32   big-endian, the writer schema's id in the registry
 *   body      bytes   the Avro binary encoding of the value under that schema (to the end)
 */

export const MAGIC_BYTE = 0
export const HEADER_BYTES = 5

/**
 * The schema id of a payload, or undefined when it has no valid header (too short, or a magic
 * byte other than 0); `wireHeaderProblem` then says which.
 *
 * @example
 * schemaIdOf(Buffer.from([0, 0, 0, 0, 7, 2])) // 7
 * schemaIdOf(Buffer.from('{"id":1}'))         // undefined
 */
export function schemaIdOf(payload: Buffer): number | undefined {
  return payload.length >= HEADER_BYTES && payload[0] === MAGIC_BYTE ? payload.readInt32BE(1) : undefined
}

/**
 * Why a payload has no valid header, for an error message.
 *
 * @example
 * wireHeaderProblem(Buffer.from('{"id":1}')) // 'unknown magic byte 0x7b; expected 0x00 (schema-registry wire format), …'
 */
export function wireHeaderProblem(payload: Buffer): string {
  const magic = payload[0]
  if (payload.length >= HEADER_BYTES && magic !== undefined && magic !== MAGIC_BYTE) {
    return `unknown magic byte 0x${magic.toString(16).padStart(2, '0')}; expected 0x00 (schema-registry wire format), was it written with another serde?`
  }
  return `payload of ${payload.length} bytes is shorter than the ${HEADER_BYTES}-byte schema-registry header`
}

/**
 * Frames an Avro body: magic byte, schema id, body.
 *
 * @example
 * writeWirePayload(7, Buffer.from([2])) // <Buffer 00 00 00 00 07 02>
 */
export function writeWirePayload(schemaId: number, body: Buffer): Buffer {
  const payload = Buffer.allocUnsafe(HEADER_BYTES + body.length)
  payload.writeUInt8(MAGIC_BYTE, 0)
  payload.writeInt32BE(schemaId, 1)
  body.copy(payload, HEADER_BYTES)
  return payload
}
