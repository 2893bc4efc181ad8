import { nextPrice, type ModelContext } from './context.js'
import {
  adjustedEventNumber,
  AUCTION_PROPORTION,
  FIRST_AUCTION_ID,
  FIRST_CATEGORY_ID,
  FIRST_PERSON_ID,
  lastBase0AuctionId,
  lastBase0PersonId,
  nextBase0PersonId,
  PROPORTION_DENOMINATOR,
  timestampForEvent,
} from './ids.js'
import type { Auction } from './types.js'

/** Few categories, so that the example queries find results in a small batch of events. */
const NUM_CATEGORIES = 5
/** Hot sellers are the first person of each block of this many. */
const HOT_SELLER_BLOCK = 100

/**
 * The auction of an auction event (as the reference's `AuctionGenerator`): the next auction id,
 * mostly a hot seller, and an expiry that keeps about `inFlightAuctions` auctions open at a time.
 */
export function nextAuction(eventNumber: number, eventId: number, dateTime: number, context: ModelContext): Auction {
  const { random, text, config } = context
  const id = lastBase0AuctionId(eventId) + FIRST_AUCTION_ID
  // P(hot seller) = 1 - 1/hotSellersRatio: the first person of the latest block of 100.
  const seller =
    (random.below(config.hotSellersRatio) > 0
      ? Math.floor(lastBase0PersonId(eventId) / HOT_SELLER_BLOCK) * HOT_SELLER_BLOCK
      : nextBase0PersonId(eventId, random, config)) + FIRST_PERSON_ID
  const category = FIRST_CATEGORY_ID + random.below(NUM_CATEGORIES)
  const initialBid = nextPrice(context)
  const expires = dateTime + nextAuctionLengthMs(eventNumber, dateTime, context)
  const itemName = text.nextString(random, 20)
  const description = text.nextString(random, 100)
  const reserve = initialBid + nextPrice(context)
  const currentSize = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8
  const extra = text.nextExtra(random, currentSize, config.averageAuctionBytes)
  return { id, itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra }
}

/** A length averaging the time until `inFlightAuctions` more auctions are made: 1 to 2× that horizon. */
function nextAuctionLengthMs(eventNumber: number, dateTime: number, context: ModelContext): number {
  const { config } = context
  const eventsForAuctions = Math.floor((config.inFlightAuctions * PROPORTION_DENOMINATOR) / AUCTION_PROPORTION)
  const futureAuctionMs = timestampForEvent(config, adjustedEventNumber(config, eventNumber) + eventsForAuctions)
  const horizonMs = futureAuctionMs - dateTime
  return 1 + context.random.below(Math.max(horizonMs * 2, 1))
}
