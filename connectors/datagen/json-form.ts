/**
 * A generated value in a form JSON keeps: Buffers (Avro `bytes` and `fixed`) become base64
 * strings, as Kafka Connect's JSON converter writes bytes; everything else is unchanged. The
 * datagen source applies it unless its value serde is Avro, which takes Buffers as they are.
 *
 * @example
 * jsonForm({ id: 1, blob: Buffer.from([1, 2]) }) // { id: 1, blob: 'AQI=' }
 */
export function jsonForm(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64')
  if (Array.isArray(value)) return value.map(jsonForm)
  if (typeof value === 'object' && value !== null) {
    const result: Record<string, unknown> = {}
    for (const [name, entry] of Object.entries(value)) result[name] = jsonForm(entry)
    return result
  }
  return value
}
