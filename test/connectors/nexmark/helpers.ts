import { NexmarkGenerator } from '../../../connectors/nexmark/generator.js'
import type { NexmarkGeneratorOptions } from '../../../connectors/nexmark/options.js'
import type { NexmarkEvent } from '../../../connectors/nexmark/types.js'

/** Every event of a bounded generator, in order. */
export function generate(options: NexmarkGeneratorOptions): NexmarkEvent[] {
  return Array.from(new NexmarkGenerator(options))
}

/** The id an event carries (person and auction id; a bid has none of its own). */
export function idOf(event: NexmarkEvent): number | undefined {
  if (event.type === 'person') return event.person.id
  if (event.type === 'auction') return event.auction.id
  return undefined
}

/** The event time of any event. */
export function timeOf(event: NexmarkEvent): number {
  if (event.type === 'person') return event.person.dateTime
  if (event.type === 'auction') return event.auction.dateTime
  return event.bid.dateTime
}
