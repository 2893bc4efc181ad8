import { describe, expect, test } from 'vitest'
import { serdes, type Windowed } from '../../index.js'
import { sessions, untilWindowCloses } from '../../operators/index.js'
import { driverPerTest } from '../operators/helpers.js'

const MINUTE = 60_000
const counts = { key: serdes.windowed(serdes.string()), value: serdes.nullable(serdes.float64()) }

function show(records: readonly (readonly [Windowed<string>, number | null])[]): string[] {
  return records.map(([key, value]) => `${key.key}@${key.window.start / MINUTE}-${key.window.end / MINUTE}=${value}`)
}

describe('session windows', () => {
  const start = driverPerTest()

  async function visits(options: { grace?: number; suppress?: boolean } = {}) {
    const driver = await start(
      (app) => {
        let table = app.stream('clicks', { key: serdes.string(), value: serdes.string() })
          .groupByKey({ key: serdes.string() })
          .windowedBy(sessions(5 * MINUTE, { grace: options.grace ?? 0 }))
          .count({ name: 'clicks-per-visit' })
        if (options.suppress === true) table = table.suppress(untilWindowCloses())
        table.toStream().to('visits', counts)
      },
      { cacheMaxBytes: 0 },
    )
    const clicks = driver.input('clicks', { key: serdes.string(), value: serdes.string() })
    const at = async (user: string, minute: number): Promise<void> => clicks.send('click', { key: user, timestamp: minute * MINUTE })
    return { driver, at, out: driver.output('visits', counts) }
  }

  test('records within the gap join one session; a record bridging two sessions merges them (the replaced sessions are deleted)', async () => {
    const { at, out } = await visits({ grace: 60 * MINUTE })
    await at('alice', 0)
    await at('alice', 3) // within 5 minutes: same session [0, 3]
    await at('alice', 10) // a new session [10, 10]
    await at('bob', 4)
    await at('alice', 6) // within 5 of 3 and of 10: merges [0, 3] and [10, 10] into [0, 10]
    expect(show(await out.readKeyValues())).toEqual([
      'alice@0-0=1',
      'alice@0-0=null', 'alice@0-3=2',
      'alice@10-10=1',
      'bob@4-4=1',
      'alice@0-3=null', 'alice@10-10=null', 'alice@0-10=4',
    ])
  })

  test('a record at exactly the gap joins the session; one just past it starts a new one', async () => {
    const { at, out } = await visits({ grace: 60 * MINUTE })
    await at('u', 0)
    await at('u', 5)
    await at('u', 10.5)
    expect(show(await out.readKeyValues())).toEqual(['u@0-0=1', 'u@0-0=null', 'u@0-5=2', 'u@10.5-10.5=1'])
  })

  test('a record for a session already closed (end + gap + grace behind stream time) is late, counted and dropped', async () => {
    const { driver, at, out } = await visits({ grace: MINUTE })
    await at('u', 0)
    await at('v', 8) // stream time 8: [0, 0] closed after 0 + 5 + 1 = 6
    await at('u', 1) // its session [1, 1] would close at 7: late
    expect(show(await out.readKeyValues())).toEqual(['u@0-0=1', 'v@8-8=1'])
    expect(driver.metrics().lateRecords).toBe(1)
  })

  test('suppress emits each session once, after it closes; merged sessions are never emitted', async () => {
    const { at, out } = await visits({ suppress: true, grace: 2 * MINUTE })
    await at('alice', 0)
    await at('alice', 5.5) // a second session: 5.5 is past the gap
    await at('alice', 2.5) // within grace, merges [0, 0] and [5.5, 5.5] into [0, 5.5]
    await at('bob', 12.5) // stream time 12.5: [0, 5.5] may still grow until 5.5 + 5 + 2
    expect(show(await out.readKeyValues())).toEqual([])
    await at('bob', 12.6)
    expect(show(await out.readKeyValues())).toEqual(['alice@0-5.5=3'])
  })
})
