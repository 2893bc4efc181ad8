import { murmur2 } from '../partitioner.js'

/** What one entry costs besides its key bytes: a hash, a key position, an offset, two slots. */
const ENTRY_BYTES = 4 + 4 + 8 + 2 * 4
const INITIAL_ENTRIES = 16
const INITIAL_KEY_BYTES = 256
/** Fibonacci hashing spreads murmur2's bits over the slots (a partition's keys share their low bits). */
const GOLDEN_RATIO_32 = 0x9e3779b1

/**
 * The compaction's key → latest offset map (Kafka's dedupe buffer), bounded in bytes: keys are
 * copied into one growing byte arena and compared whole, so two keys never share an entry, and
 * the entries live in typed arrays (open addressing on murmur2, at most half the slots used).
 * Once growing would pass `capacityBytes`, `put` refuses new keys: the compaction then cleans
 * what the map covers and builds it again from there. An empty map always takes one key, so a
 * pass always moves on.
 *
 * @example
 * const map = new OffsetMap(64 * 1024 * 1024)
 * map.put(Buffer.from('user-1'), 41) // true
 * map.put(Buffer.from('user-1'), 42) // true: an update takes no room
 * map.get(Buffer.from('user-1'))     // 42
 */
export class OffsetMap {
  private slots = new Int32Array(2 * INITIAL_ENTRIES)
  private hashes = new Int32Array(INITIAL_ENTRIES)
  private keyStarts = new Uint32Array(INITIAL_ENTRIES + 1)
  private offsets = new Float64Array(INITIAL_ENTRIES)
  private keys = Buffer.allocUnsafe(INITIAL_KEY_BYTES)
  /** 32 minus log2 of the slot count: the hash bits that pick a slot. */
  private shift = 32 - Math.log2(2 * INITIAL_ENTRIES)
  private count = 0

  constructor(readonly capacityBytes: number) {}

  /** How many keys it holds. */
  get size(): number {
    return this.count
  }

  /** The bytes its arrays take now. */
  get allocatedBytes(): number {
    return this.slots.byteLength + this.hashes.byteLength + this.keyStarts.byteLength + this.offsets.byteLength + this.keys.length
  }

  /** The latest offset put for `key`, or undefined. */
  get(key: Buffer): number | undefined {
    const entry = this.slots[this.slotOf(key, murmur2(key))]!
    return entry === 0 ? undefined : this.offsets[entry - 1]
  }

  /** Records `offset` as the latest of `key`; false when the key is new and there is no room for it. */
  put(key: Buffer, offset: number): boolean {
    const hash = murmur2(key)
    let slot = this.slotOf(key, hash)
    const existing = this.slots[slot]!
    if (existing !== 0) {
      this.offsets[existing - 1] = Math.max(this.offsets[existing - 1]!, offset)
      return true
    }
    const slotsBefore = this.slots
    if (!this.makeRoom(key.length)) return false
    if (this.slots !== slotsBefore) slot = this.slotOf(key, hash)
    const entry = this.count++
    const start = this.keyStarts[entry]!
    key.copy(this.keys, start)
    this.keyStarts[entry + 1] = start + key.length
    this.hashes[entry] = hash
    this.offsets[entry] = offset
    this.slots[slot] = entry + 1
    return true
  }

  /** Forgets every key, keeping the arrays for the next pass. */
  clear(): void {
    this.slots.fill(0)
    this.count = 0
  }

  /** The slot holding `key`, or the empty slot where it belongs. */
  private slotOf(key: Buffer, hash: number): number {
    const mask = this.slots.length - 1
    for (let slot = Math.imul(hash, GOLDEN_RATIO_32) >>> this.shift; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!
      if (entry === 0) return slot
      const index = entry - 1
      if (this.hashes[index] === hash && this.keys.compare(key, 0, key.length, this.keyStarts[index]!, this.keyStarts[index + 1]!) === 0) return slot
    }
  }

  /** Grows the arrays for one more entry of `keyBytes`; false when that would pass the capacity. */
  private makeRoom(keyBytes: number): boolean {
    const keyEnd = this.keyStarts[this.count]! + keyBytes
    const moreEntries = this.count + 1 > this.hashes.length
    const moreKeyBytes = keyEnd > this.keys.length
    if (!moreEntries && !moreKeyBytes) return true
    const entries = moreEntries ? this.hashes.length * 2 : this.hashes.length
    let keyCapacity = this.keys.length
    while (keyCapacity < keyEnd) keyCapacity *= 2
    const needed = entries * ENTRY_BYTES + 4 + keyCapacity
    if (needed > this.capacityBytes && this.count > 0) {
      // Grow by what is left rather than double, when even that fits.
      return this.growWithin(entries, keyEnd, moreEntries)
    }
    this.resize(entries, keyCapacity)
    return true
  }

  /** Growth near the capacity: the key arena grows only to what is left of it. */
  private growWithin(entries: number, keyEnd: number, moreEntries: boolean): boolean {
    if (moreEntries) return false
    const keyCapacity = this.capacityBytes - entries * ENTRY_BYTES - 4
    if (keyCapacity < keyEnd) return false
    this.resize(entries, keyCapacity)
    return true
  }

  private resize(entries: number, keyCapacity: number): void {
    if (keyCapacity !== this.keys.length) {
      const keys = Buffer.allocUnsafe(keyCapacity)
      this.keys.copy(keys, 0, 0, this.keyStarts[this.count]!)
      this.keys = keys
    }
    if (entries === this.hashes.length) return
    const grow = <T extends Int32Array | Uint32Array | Float64Array>(from: T, to: T): T => {
      to.set(from.subarray(0, Math.min(from.length, to.length)))
      return to
    }
    this.hashes = grow(this.hashes, new Int32Array(entries))
    this.keyStarts = grow(this.keyStarts, new Uint32Array(entries + 1))
    this.offsets = grow(this.offsets, new Float64Array(entries))
    this.slots = new Int32Array(2 * entries)
    this.shift = 32 - Math.log2(this.slots.length)
    for (let entry = 0; entry < this.count; entry++) {
      const start = this.keyStarts[entry]!
      const slot = this.slotOf(this.keys.subarray(start, this.keyStarts[entry + 1]!), this.hashes[entry]!)
      this.slots[slot] = entry + 1
    }
  }
}
