// Type tests: checked by `tsc -p .` (test/ is in tsconfig's include) and run as no-ops by vitest.
import { describe, expect, expectTypeOf, it } from 'vitest'
import { SerdeError, serdes, type NullableSerde, type Serde, type SerdeContext } from '../../core/serde/index.js'

interface Order { id: string; total: number }
const isOrder = (value: unknown): value is Order => typeof value === 'object' && value !== null && 'id' in value
const context: SerdeContext = { topic: 'orders', isKey: false }

describe('serde types', () => {
  it('types each built-in serde by what it reads and writes', () => {
    expectTypeOf(serdes.string()).toEqualTypeOf<Serde<string>>()
    expectTypeOf(serdes.bytes()).toEqualTypeOf<Serde<Buffer>>()
    expectTypeOf(serdes.int32()).toEqualTypeOf<Serde<number>>()
    expectTypeOf(serdes.int64()).toEqualTypeOf<Serde<bigint>>()
    expectTypeOf(serdes.float64()).toEqualTypeOf<Serde<number>>()
    expectTypeOf(serdes.avro<Order>({ schema: 'string' })).toEqualTypeOf<Serde<Order>>()
    expectTypeOf(serdes.nullable(serdes.string())).toEqualTypeOf<NullableSerde<string>>()
    expectTypeOf(serdes.nullable(serdes.string()).deserialize).returns.toEqualTypeOf<string | null>()
  })

  it('narrows JSON by its guard, or takes the declared type, or unknown', () => {
    expectTypeOf(serdes.json({ guard: isOrder })).toEqualTypeOf<Serde<Order>>()
    expectTypeOf(serdes.json<Order>()).toEqualTypeOf<Serde<Order>>()
    expectTypeOf(serdes.json()).toEqualTypeOf<Serde<unknown>>()
  })

  it('does not accept a serde of one type where another is expected', () => {
    expectTypeOf<Serde<number>>().not.toExtend<Serde<string>>()
    expectTypeOf<Serde<bigint>>().not.toExtend<Serde<number>>()
    expectTypeOf<Serde<Order>>().not.toExtend<Serde<{ id: number }>>()
    // @ts-expect-error a Serde<number> is not a Serde<string>
    const strings: Serde<string> = serdes.int32()
    // A value that slips past the types (a cast, JSON input) still fails at run time, with a SerdeError.
    // @ts-expect-error serialize takes the serde's own type
    expect(() => serdes.string().serialize(42, context)).toThrow(SerdeError)
    // @ts-expect-error int64 takes a bigint, not a number
    expect(() => serdes.int64().serialize(1, context)).toThrow(SerdeError)
    // @ts-expect-error bytes takes a Buffer
    expect(() => serdes.bytes().serialize('text', context)).toThrow(SerdeError)
    // @ts-expect-error a nullable serde is not a plain serde: its bytes may be null
    const plain: Serde<string | null> = serdes.nullable(serdes.string())
    expectTypeOf(strings).toEqualTypeOf<Serde<string>>()
    expectTypeOf(plain).toEqualTypeOf<Serde<string | null>>()
  })
})
