import { serdes, type App } from '../../index.js'
import { filter, repartition, selectKey } from '../../operators/index.js'
import { nexmarkSerdes } from '../../connectors/nexmark/index.js'
import { queryTopics, type QueryTopics } from './topics.js'

/** What q3 reports: a local seller and one of their auctions. */
export interface LocalItem {
  readonly name: string
  readonly city: string
  readonly state: string
  readonly auction: number
}

/** The states q3 calls local. */
export const LOCAL_STATES: readonly string[] = ['OR', 'ID', 'CA']

/**
 * Nexmark q3, local item suggestion: auctions of category 10 by sellers in Oregon, Idaho or
 * California, with the seller's name and city. Persons are a table keyed by id (the latest
 * profile per person); auctions are re-keyed by seller and joined with it as they arrive, so an
 * auction is reported when its seller is already known (a stream-table join).
 * `SELECT P.name, P.city, P.state, A.id FROM auction A JOIN person P ON A.seller = P.id
 *  WHERE A.category = 10 AND P.state IN ('OR', 'ID', 'CA')`
 */
export function q3(app: App, topics: QueryTopics = queryTopics('q3')): void {
  const localSellers = app
    // Uncached: an update reaches the filtered table (which the join reads) at once, not at the next commit.
    .table(topics.inputs.persons, { key: serdes.string(), value: nexmarkSerdes.person(), name: 'q3-persons', cache: false })
    .filter((person) => LOCAL_STATES.includes(person.state), { name: 'q3-local-persons', key: serdes.string(), value: nexmarkSerdes.person(), cache: false })
  app.stream(topics.inputs.auctions, { key: serdes.string(), value: nexmarkSerdes.auction() })
    .pipe(
      filter((auction) => auction.category === 10),
      selectKey((auction) => String(auction.seller)),
      repartition({ name: 'q3-auctions-by-seller', key: serdes.string(), value: nexmarkSerdes.auction() }),
    )
    .join(localSellers, (auction, person): LocalItem => ({ name: person.name, city: person.city, state: person.state, auction: auction.id }))
    .to(topics.output, { key: serdes.string(), value: serdes.json<LocalItem>() })
}
