import { describe, expect, test } from 'vitest'
import {
  InMemorySchemaRegistry,
  ProcessingError,
  RecordDeserializationError,
  SerdeError,
  serdes,
  type App,
  type ErrorPolicy,
  type RecordHeader,
  type Serde,
  type TestRecord,
} from '../../index.js'
import { mapValues } from '../../operators/index.js'
import { driverPerTest } from '../operators/helpers.js'

interface Family {
  readonly name: string
  readonly serde: () => Serde<unknown>
  /** Bytes the serde reads. */
  readonly good: () => Buffer
  /** Bytes it cannot read, and what its SerdeError says about them. */
  readonly bad: Buffer
  readonly reason: RegExp
}

const registry = new InMemorySchemaRegistry()
const orderSchema = { type: 'record', name: 'Order', namespace: 'test', fields: [{ name: 'id', type: 'string' }] }
const avroOrders = (): Serde<unknown> => serdes.avro({ schema: orderSchema, registry })

const families: readonly Family[] = [
  { name: 'string, invalid UTF-8', serde: serdes.string, good: () => Buffer.from('fine'), bad: Buffer.from([0x68, 0xc3, 0x28]), reason: /not valid UTF-8/ },
  { name: 'json, bad JSON', serde: serdes.json, good: () => Buffer.from('{"id":"o1"}'), bad: Buffer.from('{"id":'), reason: /JSON/ },
  {
    name: 'avro, bad magic byte',
    serde: avroOrders,
    good: () => avroOrders().serialize({ id: 'o1' }, { topic: 'in', isKey: false }),
    bad: Buffer.from('{"id":"o1"}'),
    reason: /unknown magic byte 0x7b/,
  },
  {
    name: 'avro, unknown schema id',
    serde: avroOrders,
    good: () => avroOrders().serialize({ id: 'o1' }, { topic: 'in', isKey: false }),
    bad: Buffer.from([0, 0, 0, 0, 42, 4, 0x6f, 0x31]),
    reason: /unknown schema id 42/,
  },
]

const traceHeader: RecordHeader = { key: 'trace', value: Buffer.from('t-7') }

function header(record: TestRecord<unknown, unknown> | undefined, key: string): string | undefined {
  return record?.headers.find((candidate) => candidate.key === key)?.value.toString()
}

describe('onDeserializationError', () => {
  const start = driverPerTest()
  const appOf = (family: Family) => (app: App) => {
    app
      .stream('in', { value: family.serde() })
      .pipe(mapValues((value) => JSON.stringify(value)))
      .to('out', { value: serdes.string() })
  }
  const startWith = (family: Family, policy: ErrorPolicy) => start(appOf(family), { onDeserializationError: policy })

  describe.each(families)('$name', (family) => {
    test("'fail' stops the app with a RecordDeserializationError naming topic, partition and offset", async () => {
      const driver = await startWith(family, 'fail')
      await driver.input('in').send(family.good())
      const failure = await driver
        .input('in')
        .send(family.bad)
        .then(
          () => undefined,
          (error: unknown) => error,
        )
      expect(failure).toBeInstanceOf(RecordDeserializationError)
      const error = failure as RecordDeserializationError
      expect(error.code).toBe('TRIBUTARY_DESERIALIZATION')
      expect(error.position).toMatchObject({ topic: 'in', partition: 0, offset: 1 })
      expect(error.message).toContain('in-0 offset 1')
      expect(error.cause).toBeInstanceOf(SerdeError)
      expect(error.message).toMatch(family.reason)
      expect(await driver.output('out', { value: serdes.string() }).readAll()).toHaveLength(1)
    })

    test("'skip' counts the record in metrics().skipped and later records flow", async () => {
      const driver = await startWith(family, 'skip')
      await driver.input('in').sendAll([{ value: family.good() }, { value: family.bad }, { value: family.good() }])
      expect(await driver.output('out', { value: serdes.string() }).readAll()).toHaveLength(2)
      expect(driver.metrics()).toMatchObject({ recordsIn: 3, skipped: 1, deadLettered: 0 })
    })

    test('{ deadLetter } writes the original bytes and headers with the error and source headers', async () => {
      const driver = await startWith(family, { deadLetter: 'in-dlq' })
      await driver.input('in').sendAll([
        { value: family.good() },
        { key: Buffer.from('order-9'), value: family.bad, headers: [traceHeader], timestamp: 1_234 },
        { value: family.good() },
      ])
      expect(await driver.output('out', { value: serdes.string() }).readAll()).toHaveLength(2)
      const dead = await driver.output('in-dlq').readAll()
      expect(dead).toHaveLength(1)
      const [letter] = dead
      expect(letter?.key).toEqual(Buffer.from('order-9'))
      expect(letter?.value).toEqual(family.bad)
      expect(letter?.timestamp).toBe(1_234)
      expect(letter?.headers[0]).toEqual(traceHeader)
      expect(header(letter, 'tributary.error.code')).toBe('TRIBUTARY_DESERIALIZATION')
      expect(header(letter, 'tributary.error.message')).toMatch(family.reason)
      expect(header(letter, 'tributary.source.topic')).toBe('in')
      expect(header(letter, 'tributary.source.partition')).toBe('0')
      expect(header(letter, 'tributary.source.offset')).toBe('1')
      expect(driver.metrics()).toMatchObject({ skipped: 0, deadLettered: 1 })
    })
  })

  test('a key that cannot be deserialized is handled like a value, its bytes kept in the dead letter', async () => {
    const driver = await start(
      (app) => {
        app.stream('in', { key: serdes.string(), value: serdes.string() }).to('out', { key: serdes.string(), value: serdes.string() })
      },
      { onDeserializationError: { deadLetter: 'in-dlq' } },
    )
    await driver.input('in').send(Buffer.from('v'), { key: Buffer.from([0xff]) })
    const [letter] = await driver.output('in-dlq').readAll()
    expect(letter?.key).toEqual(Buffer.from([0xff]))
    expect(header(letter, 'tributary.error.message')).toMatch(/key of topic in with string: not valid UTF-8/)
  })
})

describe('onProcessingError', () => {
  const start = driverPerTest()
  const appWith = (policy: ErrorPolicy) =>
    start(
      (app) => {
        app
          .stream('in', { key: serdes.string(), value: serdes.json<{ qty: number }>() })
          .pipe(
            mapValues((order) => {
              if (order.qty < 0) throw new RangeError(`negative quantity ${order.qty}`)
              return order.qty * 2
            }),
          )
          .to('out', { key: serdes.string(), value: serdes.int32() })
      },
      { onProcessingError: policy },
    )
  const orders = { key: serdes.string(), value: serdes.json<{ qty: number }>() }
  const batch = [
    { key: 'o1', value: { qty: 1 } },
    { key: 'o2', value: { qty: -1 }, headers: [traceHeader] },
    { key: 'o3', value: { qty: 3 } },
  ]

  test("'fail' stops the app with a ProcessingError naming the operator and the record", async () => {
    const driver = await appWith('fail')
    const failure = await driver
      .input('in', orders)
      .sendAll(batch)
      .then(
        () => undefined,
        (error: unknown) => error,
      )
    expect(failure).toBeInstanceOf(ProcessingError)
    const error = failure as ProcessingError
    expect(error.code).toBe('TRIBUTARY_PROCESSING')
    expect(error.operator).toBe('mapValues')
    expect(error.position).toMatchObject({ topic: 'in', partition: 0, offset: 1 })
    expect(error.cause).toBeInstanceOf(RangeError)
    expect(error.message).toContain('negative quantity -1')
    expect(error.message).toContain('in-0 offset 1')
  })

  test("'skip' counts the record and the others flow", async () => {
    const driver = await appWith('skip')
    await driver.input('in', orders).sendAll(batch)
    expect(await driver.output('out', { key: serdes.string(), value: serdes.int32() }).readKeyValues()).toEqual([
      ['o1', 2],
      ['o3', 6],
    ])
    expect(driver.metrics()).toMatchObject({ skipped: 1, deadLettered: 0 })
  })

  test('{ deadLetter } writes the input record, its original bytes, with the error and source headers, and the others flow', async () => {
    const driver = await appWith({ deadLetter: 'orders-dlq' })
    await driver.input('in', orders).sendAll(batch)
    expect(await driver.output('out', { key: serdes.string(), value: serdes.int32() }).readValues()).toEqual([2, 6])
    const [letter, ...more] = await driver.output('orders-dlq').readAll()
    expect(more).toEqual([])
    expect(String(letter?.key)).toBe('o2')
    expect(JSON.parse(String(letter?.value))).toEqual({ qty: -1 })
    expect(letter?.headers[0]).toEqual(traceHeader)
    expect(header(letter, 'tributary.error.code')).toBe('TRIBUTARY_PROCESSING')
    expect(header(letter, 'tributary.error.message')).toContain('negative quantity -1')
    expect(header(letter, 'tributary.source.topic')).toBe('in')
    expect(header(letter, 'tributary.source.partition')).toBe('0')
    expect(header(letter, 'tributary.source.offset')).toBe('1')
    expect(driver.metrics()).toMatchObject({ skipped: 0, deadLettered: 1 })
  })
})
