import { ConfigError } from '../../core/errors.js'
import { avro } from '../../core/serde/avro/avro-serde.js'
import type { AvroSchema } from '../../core/serde/avro/schema.js'
import { bytes } from '../../core/serde/bytes.js'
import { json } from '../../core/serde/json.js'
import { string } from '../../core/serde/string.js'
import type { Serde } from '../../core/serde/types.js'
import type { SerdeName } from '../api/types.js'
import type { SerdeSpec } from './spec.js'

/**
 * The serde a connector spec names: `json`, `string`, `bytes`, `{ avro: schema }`, or a Serde
 * given in code. `field` names the spec's field in errors.
 *
 * @example
 * resolveSerde('json', 'string', 'connectors.orders.value') // serdes.json()
 */
export function resolveSerde(spec: SerdeSpec | undefined, fallback: SerdeName, field: string): Serde<unknown> {
  const chosen = spec ?? fallback
  if (typeof chosen === 'string') {
    switch (chosen) {
      case 'json': return json<unknown>()
      case 'string': return string() as Serde<unknown>
      case 'bytes': return bytes() as Serde<unknown>
      default: throw new ConfigError(field, `must be "json", "string", "bytes" or {"avro": schema}, got ${JSON.stringify(chosen)}`)
    }
  }
  if (typeof chosen === 'object' && chosen !== null) {
    if ('serialize' in chosen && typeof chosen.serialize === 'function') return chosen as Serde<unknown>
    if ('avro' in chosen) {
      try {
        return avro({ schema: chosen.avro as AvroSchema }) as Serde<unknown>
      } catch (error) {
        throw new ConfigError(`${field}.avro`, `is not a usable Avro schema: ${(error as Error).message}`)
      }
    }
  }
  throw new ConfigError(field, `must be "json", "string", "bytes" or {"avro": schema}, got ${JSON.stringify(chosen)}`)
}
