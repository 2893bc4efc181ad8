import { avro } from './avro/avro-serde.js'
import { bytes } from './bytes.js'
import { json } from './json.js'
import { nullable } from './nullable.js'
import { float64, int32, int64 } from './numbers.js'
import { string } from './string.js'
import { windowed } from './windowed.js'

/**
 * Every built-in serde, in one place.
 *
 * @example
 * import { serdes } from 'tributary'
 * app.stream('orders', { key: serdes.string(), value: serdes.json({ guard: isOrder }) })
 */
export const serdes = { string, json, bytes, int32, int64, float64, avro, nullable, windowed } as const
