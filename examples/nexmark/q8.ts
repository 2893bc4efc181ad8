import { serdes, type App } from '../../index.js'
import { filter, joinWindow, map, repartition, selectKey, tumbling, untilWindowCloses } from '../../operators/index.js'
import { nexmarkSerdes } from '../../connectors/nexmark/index.js'
import { queryTopics, type QueryTopics } from './topics.js'

/** q8's answer: a person who opened an auction in the 10 s window they registered in. */
export interface NewUser {
  readonly id: number
  readonly name: string
  readonly windowStart: number
}

const WINDOW_MS = 10_000
/** How late (in stream time) a person or an auction may come and still be joined and counted. */
export const Q8_GRACE_MS = 60_000

/**
 * Nexmark q8, monitor new users: persons who registered and opened an auction within the same
 * 10-second tumbling window. Persons (keyed by id) and auctions (re-keyed by seller) are joined
 * within 10 s of each other, pairs in the same tumbling window are kept, and one final result per
 * person and window is emitted once the window closes. Both windows take records up to 60 s late
 * (in stream time): auctions come through a repartition topic, behind the persons they join.
 */
export function q8(app: App, topics: QueryTopics = queryTopics('q8')): void {
  const persons = app.stream(topics.inputs.persons, { key: serdes.string(), value: nexmarkSerdes.person() })
  const sellers = app.stream(topics.inputs.auctions, { key: serdes.string(), value: nexmarkSerdes.auction() })
    .pipe(selectKey((auction) => String(auction.seller)), repartition({ name: 'q8-auctions-by-seller', key: serdes.string(), value: nexmarkSerdes.auction() }))
  persons
    .join(
      sellers,
      (person, auction) => ({ id: person.id, name: person.name, sameWindow: Math.floor(person.dateTime / WINDOW_MS) === Math.floor(auction.dateTime / WINDOW_MS) }),
      joinWindow(WINDOW_MS - 1, { grace: Q8_GRACE_MS }),
      { name: 'q8-join', key: serdes.string(), value: nexmarkSerdes.person(), otherValue: nexmarkSerdes.auction() },
    )
    .pipe(filter((pair) => pair.sameWindow))
    .groupByKey({ key: serdes.string() })
    .windowedBy(tumbling(WINDOW_MS, { grace: Q8_GRACE_MS }))
    .aggregate(() => '', (_id, pair) => pair.name, { name: 'q8-new-users', value: serdes.string() })
    .suppress(untilWindowCloses())
    .toStream()
    .pipe(map((record) => ({ key: record.key.key, value: { id: Number(record.key.key), name: record.value ?? '', windowStart: record.key.window.start } as NewUser })))
    .to(topics.output, { key: serdes.string(), value: serdes.json({ shape: { id: 'number', name: 'string', windowStart: 'number' }, name: 'NewUser' }) })
}
