import type { NexmarkConfig } from './options.js'
import type { SeededRandom } from './random.js'
import type { NexmarkText } from './text.js'

/** What the person, auction and bid makers share: the options, the event's random stream, the string tables. */
export interface ModelContext {
  readonly config: NexmarkConfig
  readonly random: SeededRandom
  readonly text: NexmarkText
}

/** A random price in cents, log-uniform from $1 to $1,000,000: most are small, a few very large. */
export function nextPrice(context: ModelContext): number {
  // 10^(6u) · 100 with u uniform: 32 random bits are finer than a cent at every magnitude.
  return Math.round(Math.exp(context.random.nextFraction32() * SIX_LN10) * 100)
}

const SIX_LN10 = 6 * Math.LN10
