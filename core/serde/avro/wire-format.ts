/**
 * Confluent's schema-registry wire format, which every Kafka Avro client reads and writes:
 *
 *   magic     int8    0
 *   schemaId  int32   big-endian, the writer schema's id in the registry
 *   body      bytes   the Avro binary encoding of the value under that schema (to the end)
 */

export const MAGIC_BYTE = 0
export const HEADER_BYTES = 5

/** The header of a payload, or why it has none. */
export type WireHeader = { readonly schemaId: number } | { readonly problem: string }

/**
 * Reads the magic byte and schema id of a payload.
 *
 * @example
 * readWireHeader(Buffer.from([0, 0, 0, 0, 7, 2]))    // { schemaId: 7 }
 * readWireHeader(Buffer.from('{"id":1}'))             // { problem: 'unknown magic byte 0x7b; …' }
 */
export function readWireHeader(payload: Buffer): WireHeader {
  if (payload.length < HEADER_BYTES) {
    return { problem: `payload of ${payload.length} bytes is shorter than the ${HEADER_BYTES}-byte schema-registry header` }
  }
  const magic = payload.readUInt8(0)
  if (magic !== MAGIC_BYTE) {
    return {
      problem: `unknown magic byte 0x${magic.toString(16).padStart(2, '0')}; expected 0x00 (schema-registry wire format), was it written with another serde?`,
    }
  }
  return { schemaId: payload.readInt32BE(1) }
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
