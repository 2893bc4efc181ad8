// Type tests: checked by `tsc -p .` (test/ is in tsconfig's include; each @ts-expect-error must
// hide a real error, or tsc fails) and run by vitest like any test.
import { map as rxMap } from 'rxjs'
import { describe, expectTypeOf, test } from 'vitest'
import { App, embedded, serdes, type RawBytes, type Stream, type StreamRecord } from '../../index.js'
import { filter, flatMap, map, mapAsync, mapValues, selectKey } from '../../operators/index.js'

/** An app that is never started (its log never opened): only its types matter here. */
const app = (): App => new App({ id: 'types', log: embedded({ dir: 'never-opened' }), handleSignals: false })

type Click = { kind: 'click'; x: number }
type Scroll = { kind: 'scroll'; dy: number }

describe('stream types', () => {
  test('a source is typed by its serdes; without one, keys and values are raw bytes', () => {
    expectTypeOf(app().stream('t', { value: serdes.string() })).toEqualTypeOf<Stream<RawBytes, string>>()
    expectTypeOf(app().stream('t', { key: serdes.string(), value: serdes.int64() })).toEqualTypeOf<Stream<string, bigint>>()
    expectTypeOf(app().stream('t', { key: serdes.nullable(serdes.string()), value: serdes.bytes() })).toEqualTypeOf<Stream<string | null, Buffer>>()
    expectTypeOf(app().stream('t')).toEqualTypeOf<Stream<Buffer | null, Buffer | null>>()
  })

  test('a json<T> stream has values of T', () => {
    const stream = app().stream('t', { value: serdes.json<{ a: number }>() })
    expectTypeOf(stream).toEqualTypeOf<Stream<RawBytes, { a: number }>>()
    stream.pipe(mapValues((value) => expectTypeOf(value).toEqualTypeOf<{ a: number }>()))
    // @ts-expect-error `b` is not a field of { a: number }
    stream.pipe(mapValues((value) => value.b))
  })

  test('operators carry the types through pipe', () => {
    const strings = app().stream('t', { key: serdes.string(), value: serdes.string() })
    expectTypeOf(strings.pipe(mapValues((v) => v.length))).toEqualTypeOf<Stream<string, number>>()
    expectTypeOf(strings.pipe(selectKey((v) => v.length))).toEqualTypeOf<Stream<number, string>>()
    expectTypeOf(strings.pipe(map((r) => ({ key: r.value, value: r.key.length > 0 })))).toEqualTypeOf<Stream<string, boolean>>()
    expectTypeOf(strings.pipe(flatMap((v) => v.split('')))).toEqualTypeOf<Stream<string, string>>()
    expectTypeOf(strings.pipe(mapAsync(async (v) => v.length))).toEqualTypeOf<Stream<string, number>>()
    expectTypeOf(strings.pipe(mapValues((v) => v.length), mapValues((n) => n > 1))).toEqualTypeOf<Stream<string, boolean>>()
  })

  test('a standard RxJS step, async or not, gives the stream of what it returns', () => {
    const strings = app().stream('t', { key: serdes.string(), value: serdes.string() })
    const lengths = strings.pipe(rxMap((r): StreamRecord<string, number> => ({ ...r, value: r.value.length })))
    expectTypeOf(lengths).toEqualTypeOf<Stream<string, number>>()
    const awaited = strings.pipe(rxMap(async (r) => ({ ...r, value: r.value.length })))
    expectTypeOf(awaited).toEqualTypeOf<Stream<string, number>>()
  })

  test('a type-guard filter narrows the value type; a predicate that guards nothing does not', () => {
    const events = app().stream('events', { value: serdes.json<Click | Scroll>() })
    expectTypeOf(events.pipe(filter((e): e is Click => e.kind === 'click'))).toEqualTypeOf<Stream<RawBytes, Click>>()
    // TypeScript infers `e is Click` from `e.kind === 'click'` alone (5.5+); not from this:
    expectTypeOf(events.pipe(filter((e) => e.kind === 'click' && e.x > 0))).toEqualTypeOf<Stream<RawBytes, Click | Scroll>>()
    expectTypeOf(events.pipe(filter((e) => e.kind === 'click'))).toEqualTypeOf<Stream<RawBytes, Click>>()
    events.pipe(
      filter((e): e is Click => e.kind === 'click'),
      mapValues((click) => click.x),
    )
    // @ts-expect-error without the narrowing, a Scroll has no `x`
    events.pipe(mapValues((event) => event.x))
  })
})

describe('sink types', () => {
  test('a sink takes serdes of the stream types', () => {
    const lengths = app()
      .stream('t', { key: serdes.string(), value: serdes.string() })
      .pipe(mapValues((v) => v.length))
    expectTypeOf(lengths).toEqualTypeOf<Stream<string, number>>()
    lengths.to('x', { key: serdes.string(), value: serdes.int32() })
    lengths.to('x', { value: serdes.float64() })
  })

  test('a serde of another type than the stream does not compile', () => {
    const lengths = app()
      .stream('t', { key: serdes.string(), value: serdes.string() })
      .pipe(mapValues((v) => v.length))
    // @ts-expect-error values are numbers: a string serde cannot write them
    lengths.to('x', { value: serdes.string() })
    // @ts-expect-error keys are strings: an int32 serde cannot write them
    lengths.to('x', { key: serdes.int32() })
    // @ts-expect-error int64 writes bigints, not numbers
    lengths.to('x', { value: serdes.int64() })
    // @ts-expect-error json<{ a: number }> writes objects, not numbers
    lengths.to('x', { value: serdes.json<{ a: number }>() })
    const objects = app().stream('t', { value: serdes.json<{ a: number }>() })
    // @ts-expect-error a json of another shape does not fit
    objects.to('x', { value: serdes.json<{ a: string }>() })
    objects.to('x', { value: serdes.json<{ a: number }>() })
  })

  test('a stream whose values may be null takes a plain serde (null as a tombstone) or a nullable one', () => {
    const maybe = app()
      .stream('t', { key: serdes.string(), value: serdes.string() })
      .pipe(mapValues((v) => (v === '' ? null : v)))
    expectTypeOf(maybe).toEqualTypeOf<Stream<string, string | null>>()
    maybe.to('x', { value: serdes.string() })
    maybe.to('x', { value: serdes.nullable(serdes.string()) })
    // @ts-expect-error a nullable int32 is still not a serde of strings
    maybe.to('x', { value: serdes.nullable(serdes.int32()) })
  })

  test('dynamic routing is typed by the record', () => {
    const events = app().stream('events', { value: serdes.json<Click | Scroll>() })
    events.to((record) => `events-${record.value.kind}`, { value: serdes.json<Click | Scroll>() })
    // @ts-expect-error the chooser must return a topic name
    events.to((record) => record.value, { value: serdes.json<Click | Scroll>() })
  })
})
