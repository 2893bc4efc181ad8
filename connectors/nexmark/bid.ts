import { nextPrice, type ModelContext } from './context.js'
import { FIRST_AUCTION_ID, FIRST_PERSON_ID, lastBase0AuctionId, lastBase0PersonId, nextBase0AuctionId, nextBase0PersonId } from './ids.js'
import { CHANNELS_NUMBER, HOT_CHANNELS } from './text.js'
import type { Bid } from './types.js'

/** Hot auctions are the first of each block of this many auctions; hot bidders the second person of a block. */
const HOT_AUCTION_BLOCK = 100
const HOT_BIDDER_BLOCK = 100
/** Half of the bids come through one of the four hot channels. */
const HOT_CHANNELS_RATIO = 2

/**
 * The bid of a bid event (as nexmark/nexmark's `BidGenerator`): mostly on the latest hot auction,
 * mostly by the latest hot bidder, through a channel with its URL.
 */
export function nextBid(eventId: number, dateTime: number, context: ModelContext): Bid {
  const { random, text, config } = context
  // P(hot auction) = 1 - 1/hotAuctionRatio: the first auction of the latest block of 100.
  const auction =
    (random.below(config.hotAuctionRatio) > 0
      ? Math.floor(lastBase0AuctionId(eventId) / HOT_AUCTION_BLOCK) * HOT_AUCTION_BLOCK
      : nextBase0AuctionId(eventId, random, config)) + FIRST_AUCTION_ID
  // P(hot bidder) = 1 - 1/hotBiddersRatio: the second person of the latest block, so hot bidders
  // and hot sellers differ.
  const bidder =
    (random.below(config.hotBiddersRatio) > 0
      ? Math.floor(lastBase0PersonId(eventId) / HOT_BIDDER_BLOCK) * HOT_BIDDER_BLOCK + 1
      : nextBase0PersonId(eventId, random, config)) + FIRST_PERSON_ID
  const price = nextPrice(context)
  let channel: string
  let url: string
  if (random.below(HOT_CHANNELS_RATIO) > 0) {
    const hot = random.below(HOT_CHANNELS.length)
    channel = HOT_CHANNELS[hot] as string
    url = text.hotUrls[hot] as string
  } else {
    const index = random.below(CHANNELS_NUMBER)
    channel = text.channelNames[index] as string
    url = text.channelUrls[index] as string
  }
  const extra = text.nextExtra(random, 8 + 8 + 8 + 8, config.averageBidBytes)
  return { auction, bidder, price, channel, url, dateTime, extra }
}
