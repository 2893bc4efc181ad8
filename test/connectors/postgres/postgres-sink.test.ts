import { describe, expect, test } from 'vitest'
import { ConfigError } from '../../../core/errors.js'
import { ConnectorError } from '../../../connectors/api/errors.js'
import type { Log } from '../../../core/log/types.js'
import { postgresSink } from '../../../connectors/postgres/index.js'
import { readTopic, waitUntil } from '../../runtime/helpers.js'
import { usePostgresTestBed } from './pg-fixtures.js'
import { postgresTestsWanted } from './pg-server.js'

type Keyed = readonly [key: unknown, value: unknown]

async function send(log: Log, topic: string, records: readonly Keyed[]): Promise<void> {
  await log.createTopic(topic, { partitions: 1 }).catch(() => undefined)
  const producer = log.producer()
  const encode = (data: unknown): Buffer | null => (data === null ? null : Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)))
  await producer.send(records.map(([key, value]) => ({ topic, key: encode(key), value: encode(value) })))
  await producer.close()
}

const header = (headers: readonly { key: string; value: Buffer }[], key: string): string | undefined => headers.find((entry) => entry.key === key)?.value.toString()

describe.skipIf(!postgresTestsWanted())('postgres-sink', () => {
  const bed = usePostgresTestBed()

  async function sinkUntilDone(table: string, topic: string, total: number, config: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<void> {
    const connector = await bed.start({ name: `sink-${table}`, connector: postgresSink, topics: [topic], config: { ...bed.connection(), table, ...config }, ...extra })
    await waitUntil(() => connector.metrics().records + connector.metrics().deadLettered >= total, `${total} records taken`)
    await bed.stop(connector)
  }

  test('upsert keeps the last value per key, within a batch and across batches, and a tombstone deletes its row', async () => {
    await bed.rows('CREATE TABLE accounts (id integer PRIMARY KEY, owner text NOT NULL, balance numeric)')
    await send(bed.log(), 'accounts', [
      ['1', { owner: 'ada', balance: 10 }],
      ['2', { owner: 'bob', balance: 20 }],
      ['1', { owner: 'ada', balance: 11 }],
      ['3', { owner: 'cy', balance: 30 }],
      ['2', { owner: 'bob', balance: 21 }],
      ['1', { owner: 'ada', balance: 12 }],
      ['3', null],
      ['4', { owner: 'dee', balance: 40 }],
      ['2', { owner: 'bob', balance: 22 }],
    ])
    await sinkUntilDone('accounts', 'accounts', 9, { batchSize: 2 }, { batchSize: 3 })
    expect(await bed.rows('SELECT id, owner, balance::text FROM accounts ORDER BY id')).toEqual([
      { id: 1, owner: 'ada', balance: '12' },
      { id: 2, owner: 'bob', balance: '22' },
      { id: 4, owner: 'dee', balance: '40' },
    ])
  })

  test('upsert by a composite key taken from object keys (key serde json), the primary key by default', async () => {
    await bed.rows('CREATE TABLE stock (shop text, sku text, count integer, tags text[], extra jsonb, PRIMARY KEY (shop, sku))')
    await send(bed.log(), 'stock', [
      [{ shop: 'a', sku: 'x' }, { count: 1, tags: ['new', 'a "quoted"\ttag'], extra: { note: 'line\nbreak' } }],
      [{ shop: 'a', sku: 'y' }, { count: 2 }],
      [{ shop: 'a', sku: 'x' }, { count: 3, tags: [], extra: null }],
      [{ shop: 'b', sku: 'x' }, { count: 4, extra: [1, 2] }],
      [{ shop: 'a', sku: 'y' }, null],
    ])
    await sinkUntilDone('stock', 'stock', 5, {}, { key: 'json' })
    expect(await bed.rows('SELECT shop, sku, count, tags, extra FROM stock ORDER BY shop, sku')).toEqual([
      { shop: 'a', sku: 'x', count: 3, tags: [], extra: null },
      { shop: 'b', sku: 'x', count: 4, tags: null, extra: [1, 2] },
    ])
  })

  test('insert appends every record, special characters intact; columns whose fields are missing take their defaults', async () => {
    await bed.rows('CREATE TABLE events (seq bigserial PRIMARY KEY, kind text, body text, at timestamptz DEFAULT now())')
    await send(bed.log(), 'events', [
      [null, { kind: 'click', body: 'tab\there' }],
      [null, { kind: 'click', body: 'back\\slash\nnew line' }],
      [null, { kind: 'view', body: 'ünïcödé ✓' }],
    ])
    await sinkUntilDone('events', 'events', 3, { mode: 'insert' })
    expect(await bed.rows('SELECT kind, body, at IS NOT NULL AS stamped FROM events ORDER BY seq')).toEqual([
      { kind: 'click', body: 'tab\there', stamped: true },
      { kind: 'click', body: 'back\\slash\nnew line', stamped: true },
      { kind: 'view', body: 'ünïcödé ✓', stamped: true },
    ])
  })

  test('upsert: a missing field keeps the column as it is (its default in a new row), a null field sets NULL', async () => {
    await bed.rows("CREATE TABLE profiles (id integer PRIMARY KEY, name text, city text DEFAULT 'unknown', score integer)")
    await send(bed.log(), 'profiles', [
      [null, { id: 1, name: 'ada', score: 5 }],
      [null, { id: 2, name: 'bob', city: 'Oslo', score: 7 }],
    ])
    await sinkUntilDone('profiles', 'profiles', 2)
    await send(bed.log(), 'profiles', [
      [null, { id: 1, city: 'Lyon' }],
      [null, { id: 2, name: null }],
    ])
    await sinkUntilDone('profiles', 'profiles', 2)
    expect(await bed.rows('SELECT id, name, city, score FROM profiles ORDER BY id')).toEqual([
      { id: 1, name: 'ada', city: 'Lyon', score: 5 },
      { id: 2, name: null, city: 'Oslo', score: 7 },
    ])
  })

  test.each(['upsert', 'insert'] as const)('%s: rows PostgreSQL refuses go to the dead-letter topic with its message; the other rows land', async (mode) => {
    await bed.rows('DROP TABLE IF EXISTS people')
    await bed.rows('CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL, age integer CHECK (age >= 0))')
    const records: Keyed[] = []
    for (let id = 1; id <= 40; id++) records.push([String(id), { name: `p${id}`, age: id }])
    records[6] = ['7', { name: null, age: 7 }] // NOT NULL
    records[20] = ['21', { name: 'p21', age: 'old' }] // not an integer
    records[33] = ['34', { name: 'p34', age: -1 }] // check
    records.push(['x', { name: 'nobody' }]) // the key is not an integer
    await send(bed.log(), 'people', records)
    await sinkUntilDone('people', 'people', 41, { mode, keyColumns: ['id'] }, { deadLetterTopic: 'people-dlq' })
    const ids = (await bed.rows('SELECT id FROM people ORDER BY id')).map((row) => row['id'])
    expect(ids).toEqual(Array.from({ length: 40 }, (_, index) => index + 1).filter((id) => ![7, 21, 34].includes(id)))
    const dead = await readTopic(bed.log(), 'people-dlq')
    expect(dead.map((record) => record.key?.toString())).toEqual(['7', '21', '34', 'x'])
    const messages = dead.map((record) => header(record.headers, 'tributary.error.message') ?? '')
    expect(messages[0]).toMatch(/null value in column "name"/)
    expect(messages[1]).toMatch(/invalid input syntax for type integer: "old"/)
    expect(messages[2]).toMatch(/violates check constraint/)
    expect(messages[3]).toMatch(/invalid input syntax for type integer: "x"/)
    expect(dead.every((record) => header(record.headers, 'tributary.error.code') === 'TRIBUTARY_POSTGRES_ROW_REFUSED')).toBe(true)
    expect(header(dead[0]!.headers, 'tributary.source.topic')).toBe('people')
  })

  test('a connection the server drops is retried on a new one, and nothing is lost', async () => {
    await bed.rows('CREATE TABLE counters (id integer PRIMARY KEY, n integer)')
    await send(bed.log(), 'counters', [['1', { n: 1 }], ['2', { n: 1 }]])
    const connector = await bed.start({ name: 'counters-db', connector: postgresSink, topics: ['counters'], commitInterval: 20, retries: { initialDelay: 10 }, config: { ...bed.connection(), table: 'counters' } })
    await waitUntil(async () => (await bed.rows('SELECT id FROM counters')).length === 2, 'the first rows')
    const killed = await bed.rows("SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = 'tributary:counters-db'")
    expect(killed).toEqual([{ killed: true }])
    await send(bed.log(), 'counters', [['1', { n: 2 }], ['3', { n: 1 }]])
    await waitUntil(async () => (await bed.rows('SELECT id FROM counters')).length === 3, 'the rows after the reconnection')
    await bed.stop(connector)
    expect(await bed.rows('SELECT id, n FROM counters ORDER BY id')).toEqual([{ id: 1, n: 2 }, { id: 2, n: 1 }, { id: 3, n: 1 }])
    expect(connector.metrics().retries).toBeGreaterThanOrEqual(1)
  })

  test('a server that cannot be reached is a retriable ConnectorError naming where it was', async () => {
    const unreachable = { ...bed.connection(), port: 1, connectTimeout: 2000, table: 'anything' }
    const error = (await bed.start({ name: 'nowhere', connector: postgresSink, topics: ['t'], config: unreachable }).catch((caught: unknown) => caught)) as ConnectorError
    expect(error).toBeInstanceOf(ConnectorError)
    expect(error.retriable).toBe(true)
    expect(error.message).toContain(`cannot connect to tributary@127.0.0.1:1/postgres`)
  })

  test.each([
    [{ table: undefined }, 'connectors.bad.config.table'],
    [{ batchSize: 'many' }, 'connectors.bad.config.batchSize'],
    [{ mode: 'merge' }, 'connectors.bad.config.mode'],
    [{ password: 'literal' }, 'connectors.bad.config.password'],
    [{ table: 'no_such_table' }, 'config.table'],
    [{ table: 'shapes', columns: ['id', 'colour'] }, 'config.columns[1]'],
    [{ table: 'shapes', keyColumns: ['name'] }, 'config.keyColumns[0]'],
    [{ table: 'keyless' }, 'config.keyColumns'],
  ])('a bad config %j is a ConfigError naming %s', async (change, field) => {
    await bed.rows('CREATE TABLE IF NOT EXISTS shapes (id integer PRIMARY KEY, sides integer)')
    await bed.rows('CREATE TABLE IF NOT EXISTS keyless (id integer, sides integer)')
    const config: Record<string, unknown> = { ...bed.connection(), table: 'shapes', ...change }
    for (const name of Object.keys(config)) if (config[name] === undefined) delete config[name]
    const started = bed.start({ name: 'bad', connector: postgresSink, topics: ['shapes'], config })
    await expect(started).rejects.toBeInstanceOf(ConfigError)
    await expect(started).rejects.toMatchObject({ field })
  })

  test('the password comes from the environment and appears in no log line or error', async () => {
    const password = bed.server().password
    await bed.rows('CREATE TABLE notes (id integer PRIMARY KEY, text text)')
    await send(bed.log(), 'notes', [['1', { text: 'hello' }]])
    await sinkUntilDone('notes', 'notes', 1)
    expect(await bed.rows('SELECT id, text FROM notes')).toEqual([{ id: 1, text: 'hello' }])

    process.env['TRIBUTARY_TEST_PG_WRONG'] = `${password}-but-wrong`
    const refused = bed.start({ name: 'wrong', connector: postgresSink, topics: ['notes'], config: { ...bed.connection(), password: { env: 'TRIBUTARY_TEST_PG_WRONG' }, table: 'notes' } })
    const error = (await refused.catch((caught: unknown) => caught)) as Error
    delete process.env['TRIBUTARY_TEST_PG_WRONG']
    expect(error.message).toMatch(/password authentication failed/)
    const printed = [error.message, error.stack ?? '', String((error.cause as Error | undefined)?.message), ...bed.lines].join('\n')
    expect(bed.lines.length).toBeGreaterThan(0)
    expect(printed).not.toContain(password)
  })
})
