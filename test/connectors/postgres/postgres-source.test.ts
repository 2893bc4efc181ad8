import { describe, expect, test } from 'vitest'
import { ConfigError } from '../../../core/errors.js'
import { postgresSource } from '../../../connectors/postgres/index.js'
import { readTopic, waitUntil } from '../../runtime/helpers.js'
import { usePostgresTestBed } from './pg-fixtures.js'
import { postgresTestsWanted } from './pg-server.js'

describe.skipIf(!postgresTestsWanted())('postgres-source', () => {
  const bed = usePostgresTestBed()

  async function topicValues(topic: string): Promise<Record<string, unknown>[]> {
    return (await readTopic(bed.log(), topic)).map((record) => JSON.parse(record.value?.toString() ?? 'null') as Record<string, unknown>)
  }

  async function runUntil(spec: { name: string; topic: string; config: Record<string, unknown> }, topic: string, count: number): Promise<void> {
    const connector = await bed.start({ ...spec, connector: postgresSource, config: { ...bed.connection(), pollInterval: 20, ...spec.config } })
    await waitUntil(async () => (await bed.log().listTopics()).includes(topic) && (await readTopic(bed.log(), topic)).length >= count, `${count} records in ${topic}`)
    await bed.stop(connector)
  }

  test('incrementing mode reads rows in id order with their keys, and a restart resumes after the stored offset', async () => {
    await bed.rows('CREATE TABLE orders (id bigserial PRIMARY KEY, item text, qty integer)')
    await bed.rows("INSERT INTO orders (item, qty) SELECT 'item' || n, n FROM generate_series(1, 25) AS n")
    const spec = { name: 'orders-in', topic: 'orders', config: { table: 'orders', incrementingColumn: 'id', keyColumn: 'id', batchSize: 10 } }
    await runUntil(spec, 'orders', 25)
    await bed.rows("INSERT INTO orders (item, qty) VALUES ('late', 99)")
    await runUntil(spec, 'orders', 26)
    const records = await readTopic(bed.log(), 'orders')
    expect(records.map((record) => record.key?.toString())).toEqual(Array.from({ length: 26 }, (_, index) => String(index + 1)))
    expect(JSON.parse(records[25]!.value!.toString())).toEqual({ id: 26, item: 'late', qty: 99 })
  })

  test('timestamp+incrementing mode reads updated rows again, exactly, even when many rows share a timestamp', async () => {
    await bed.rows('CREATE TABLE prices (id integer PRIMARY KEY, price numeric(10,2), changed timestamptz NOT NULL)')
    await bed.rows("INSERT INTO prices SELECT n, n * 1.5, '2024-05-01 10:00:00.123456+00' FROM generate_series(1, 12) AS n")
    const spec = { name: 'prices-in', topic: 'prices', config: { table: 'prices', mode: 'timestamp+incrementing', incrementingColumn: 'id', timestampColumn: 'changed', batchSize: 5 } }
    await runUntil(spec, 'prices', 12)
    await bed.rows("UPDATE prices SET price = 0, changed = '2024-05-01 11:00:00+00' WHERE id IN (3, 4)")
    await runUntil(spec, 'prices', 14)
    const values = await topicValues('prices')
    expect(values.map((value) => value['id'])).toEqual([...Array.from({ length: 12 }, (_, index) => index + 1), 3, 4])
    expect(values[0]).toEqual({ id: 1, price: '1.50', changed: '2024-05-01T10:00:00.123456Z' })
    expect(values[12]).toEqual({ id: 3, price: '0.00', changed: '2024-05-01T11:00:00Z' })
  })

  test('timestamp mode never ends a batch inside a group of rows with one timestamp', async () => {
    await bed.rows('CREATE TABLE readings (sensor text, value double precision, at timestamp NOT NULL)')
    await bed.rows("INSERT INTO readings SELECT 's' || n, n, '2024-01-01 00:00:00'::timestamp + ((n / 4) || ' seconds')::interval FROM generate_series(0, 18) AS n")
    await runUntil({ name: 'readings-in', topic: 'readings', config: { table: 'readings', mode: 'timestamp', timestampColumn: 'at', batchSize: 3, keyColumn: 'sensor' } }, 'readings', 19)
    const values = await topicValues('readings')
    expect(values.map((value) => value['sensor']).sort()).toEqual(Array.from({ length: 19 }, (_, index) => `s${index}`).sort())
    expect(values[0]).toMatchObject({ at: '2024-01-01T00:00:00' })
  })

  test('a query source: big integers beyond 2^53 as strings, bytea as base64, json as JSON', async () => {
    await bed.rows("CREATE TABLE blobs (id bigint PRIMARY KEY, data bytea, doc jsonb, day date)")
    await bed.rows("INSERT INTO blobs VALUES (9007199254740993, '\\x0102ff', '{\"a\": [1, 2]}', '2024-02-29'), (5, NULL, 'null', NULL)")
    await runUntil({ name: 'blobs-in', topic: 'blobs', config: { query: 'SELECT id, data, doc, day FROM blobs', incrementingColumn: 'id' } }, 'blobs', 2)
    expect(await topicValues('blobs')).toEqual([
      { id: 5, data: null, doc: null, day: null },
      { id: '9007199254740993', data: Buffer.from([1, 2, 255]).toString('base64'), doc: { a: [1, 2] }, day: '2024-02-29' },
    ])
  })

  test.each([
    [{ table: 'orders', query: 'SELECT 1' }, 'config.query'],
    [{ table: 'orders', mode: 'incrementing' }, 'config.incrementingColumn'],
    [{ table: 'orders', mode: 'timestamp' }, 'config.timestampColumn'],
    [{ table: 'orders', incrementingColumn: 'id', pollInterval: 'soon' }, 'connectors.bad.config.pollInterval'],
  ])('a bad config %j is a ConfigError naming %s', async (change, field) => {
    const started = bed.start({ name: 'bad', connector: postgresSource, topic: 'x', config: { ...bed.connection(), ...change } })
    await expect(started).rejects.toBeInstanceOf(ConfigError)
    await expect(started).rejects.toMatchObject({ field })
  })
})
