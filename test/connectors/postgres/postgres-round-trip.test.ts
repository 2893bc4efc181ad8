/**
 * Both connectors through the runner on one embedded log: rows of one table go through
 * `postgres-source` to a topic and through `postgres-sink` into a second table of the same shape,
 * which ends equal to the first, types and all (the JSON forms of bigints, numerics, timestamps,
 * arrays and jsonb go back in exactly). A connection the server drops mid-way is retried.
 */
import { describe, expect, test } from 'vitest'
import { postgresSink, postgresSource } from '../../../connectors/postgres/index.js'
import { waitUntil } from '../../runtime/helpers.js'
import { usePostgresTestBed } from './pg-fixtures.js'
import { postgresTestsWanted } from './pg-server.js'

const COLUMNS = 'id bigint PRIMARY KEY, name text, price numeric(12, 4), big bigint, at timestamptz, local timestamp, day date, tags text[], doc jsonb, flag boolean, ratio double precision'

describe.skipIf(!postgresTestsWanted())('postgres-source to postgres-sink', () => {
  const bed = usePostgresTestBed()

  test('a table copied through a topic ends equal to the original, and survives a dropped connection', async () => {
    await bed.rows(`CREATE TABLE origin (${COLUMNS})`)
    await bed.rows(`CREATE TABLE copy (${COLUMNS})`)
    const insertRows = (from: number, to: number): Promise<unknown> =>
      bed.rows(`INSERT INTO origin SELECT n, 'name ' || n || E'\\t"q"', n * 1.2345, 9007199254740993 + n, '2024-05-01 10:00:00.654321+00'::timestamptz + (n || ' minutes')::interval,
        '2024-05-01 10:00:00.5'::timestamp, '2024-02-29'::date + n, ARRAY['a', 'b' || n], jsonb_build_object('n', n, 'list', jsonb_build_array(1, 'two')), n % 2 = 0, n / 3.0
        FROM generate_series(${from}, ${to}) AS n`)
    await insertRows(1, 150)
    const source = await bed.start({ name: 'origin-in', connector: postgresSource, topic: 'rows', config: { ...bed.connection(), table: 'origin', incrementingColumn: 'id', keyColumn: 'id', batchSize: 50, pollInterval: 20 } })
    const sink = await bed.start({ name: 'copy-out', connector: postgresSink, topics: ['rows'], commitInterval: 20, retries: { initialDelay: 10 }, config: { ...bed.connection(), table: 'copy', batchSize: 40 } })
    await waitUntil(async () => (await bed.rows('SELECT id FROM copy')).length === 150, 'the first rows copied')
    const dropped = await bed.rows("SELECT pg_terminate_backend(pid) AS dropped FROM pg_stat_activity WHERE application_name IN ('tributary:origin-in', 'tributary:copy-out')")
    expect(dropped).toEqual([{ dropped: true }, { dropped: true }])
    await insertRows(151, 300)
    await bed.rows('INSERT INTO origin (id) VALUES (301)') // all NULLs but the key
    await waitUntil(async () => (await bed.rows('SELECT id FROM copy')).length === 301, 'every row copied')
    await bed.stop(source)
    await bed.stop(sink)
    const difference = await bed.rows('(SELECT * FROM origin EXCEPT SELECT * FROM copy) UNION ALL (SELECT * FROM copy EXCEPT SELECT * FROM origin)')
    expect(difference).toEqual([])
  })
})
