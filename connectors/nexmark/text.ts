/**
 * The strings of the events: random words as the reference's `StringsGenerator`, and the tables
 * the nexmark/nexmark generator precomputes for speed (padding taken as a slice of one long random
 * string, credit-card groups, bid channels and their URLs). The tables come from the seed, so they
 * are the same in every run with it.
 */
import { SeededRandom } from './random.js'

const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter']
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris']
/** Few states and cities, so that the example queries find results in a small batch of events. */
export const US_STATES: readonly string[] = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY']
export const US_CITIES: readonly string[] = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne']
export const HOT_CHANNELS: readonly string[] = ['Google', 'Facebook', 'Baidu', 'Apple']
export const CHANNELS_NUMBER = 10_000

const MIN_STRING_LENGTH = 3
const TABLE_KEY = Number.MAX_SAFE_INTEGER
const EXTRA_POOL_CHARS = 1 << 20
const SPACE = 0x20
const UNDERSCORE = 0x5f
const LETTER_A = 0x61

export class NexmarkText {
  /** `FIRST_NAMES[i] + ' ' + LAST_NAMES[j]` at `i * LAST_NAMES.length + j`. */
  readonly personNames: readonly string[]
  readonly firstNameCount = FIRST_NAMES.length
  readonly lastNameCount = LAST_NAMES.length
  /** `'0000'` to `'9999'`. */
  readonly creditCardGroups: readonly string[]
  readonly hotUrls: readonly string[]
  readonly channelNames: readonly string[]
  readonly channelUrls: readonly string[]
  private readonly extraPool: string
  private readonly scratch = Buffer.alloc(128)

  constructor(seed32: number) {
    const random = new SeededRandom()
    // Keys far above every event id, so the tables never share a stream with an event.
    random.reset(seed32, TABLE_KEY)
    this.extraPool = randomLetters(random, EXTRA_POOL_CHARS)
    this.personNames = FIRST_NAMES.flatMap((first) => LAST_NAMES.map((last) => `${first} ${last}`))
    this.creditCardGroups = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, '0'))
    random.reset(seed32, TABLE_KEY - 1)
    this.hotUrls = HOT_CHANNELS.map(() => this.baseUrl(random))
    const names: string[] = []
    const urls: string[] = []
    for (let i = 0; i < CHANNELS_NUMBER; i++) {
      const url = this.baseUrl(random)
      names.push(`channel-${i}`)
      urls.push(random.below(10) > 0 ? `${url}&channel_id=${Math.abs(reverseBits32(i))}` : url)
    }
    this.channelNames = names
    this.channelUrls = urls
  }

  /** 3 to `maxLength - 1` characters: letters, with a `special` (space) one time in 13; trimmed. */
  nextString(random: SeededRandom, maxLength: number, special = SPACE): string {
    const length = MIN_STRING_LENGTH + random.below(maxLength - MIN_STRING_LENGTH)
    const scratch = this.scratch
    for (let i = 0; i < length; i++) {
      // One draw of 13 × 26 outcomes: 26 of them (1 in 13) are the special character, the rest
      // the 26 letters 12 times each, as the reference's two draws.
      const outcome = random.below(338)
      scratch[i] = outcome < 26 ? special : LETTER_A + (outcome % 26)
    }
    const text = scratch.toString('latin1', 0, length)
    return special === SPACE ? text.trim() : text
  }

  /**
   * Padding such that `currentSize` plus its length averages `averageSize` (±20%, uniform).
   * It is a slice of the pool: V8 keeps it as a view, without copying.
   */
  nextExtra(random: SeededRandom, currentSize: number, averageSize: number): string {
    if (currentSize > averageSize) return ''
    const wanted = averageSize - currentSize
    const delta = Math.round(wanted * 0.2)
    const length = wanted - delta + (delta === 0 ? 0 : random.below(2 * delta))
    const offset = random.below(this.extraPool.length - length)
    return this.extraPool.substring(offset, offset + length)
  }

  private baseUrl(random: SeededRandom): string {
    const part = (): string => this.nextString(random, 5, UNDERSCORE)
    return `https://www.nexmark.com/${part()}/${part()}/${part()}/item.htm?query=1`
  }
}

/** Letters, five per 32-bit draw (the reference's `nextExactString` takes six), with a bias under 1 in 361. */
function randomLetters(random: SeededRandom, length: number): string {
  const bytes = Buffer.allocUnsafe(length)
  for (let i = 0; i < length; ) {
    let bits = random.nextUint32()
    for (let k = 0; k < 5 && i < length; k++, i++) {
      bytes[i] = LETTER_A + (bits % 26)
      bits = Math.floor(bits / 26)
    }
  }
  return bytes.toString('latin1')
}

/** Java's `Integer.reverse`: the 32 bits in reverse order, as a signed 32-bit integer. */
function reverseBits32(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1)
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2)
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4)
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8)
  return (x >>> 16) | (x << 16)
}
