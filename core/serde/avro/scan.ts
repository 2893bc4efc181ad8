/**
 * A bounded walk over an Avro body, run before avsc decodes it. avsc trusts the counts in the
 * payload: an array block claiming 2^31 items makes it fill an array of 2^31 entries (the
 * process dies out of memory), and a deeply nested value recurses until the stack overflows.
 * This walk reads the same bytes with the writer schema, allocates nothing per item, keeps its
 * own stack, and refuses, before avsc sees the payload:
 *
 * - a block that claims more items than its remaining bytes can hold, or more than `maxItems`
 *   array items and map entries in the whole value;
 * - a string, bytes or fixed longer than what remains;
 * - records, arrays and maps nested deeper than `maxDepth`;
 * - an out-of-range union branch or enum symbol, a varint over 10 bytes, a block whose byte size
 *   disagrees with its items, and bytes left over after the value.
 *
 * Its cost is one pass over the bytes without allocation, next to avsc's decoding pass.
 */
import type { ArrayNode, MapNode, RecordNode, ScanNode } from './scan-plan.js'

/** Bounds on one Avro value; see `serdes.avro`. */
export interface AvroLimits {
  /** Largest Avro body accepted, on serialize and deserialize. */
  readonly maxBytes: number
  /** Most array items plus map entries in one value. */
  readonly maxItems: number
  /** Deepest nesting of records, arrays and maps. */
  readonly maxDepth: number
}

export const DEFAULT_AVRO_LIMITS: AvroLimits = Object.freeze({
  maxBytes: 16 * 1024 * 1024,
  maxItems: 1_000_000,
  maxDepth: 100,
})

/** An Avro body the walk refuses; the serde turns it into a `SerdeError` with its context. */
export class MalformedAvro extends Error {}

interface RecordFrame { readonly kind: 'record'; readonly node: RecordNode; next: number }
interface BlockFrame {
  readonly kind: 'array' | 'map'
  readonly node: ArrayNode | MapNode
  /** Items left in the current block. */
  left: number
  /** Where the current block ends when the writer gave its byte size, else -1. */
  blockEnd: number
}
type Frame = RecordFrame | BlockFrame

const MAX_VARINT_BYTES = 10

/**
 * Checks that `body` holds exactly one value of the writer schema `plan`, within `limits`;
 * throws `MalformedAvro` otherwise (internal).
 *
 * @example
 * scanAvro(compileScanPlan(avro.Type.forSchema('string')), Buffer.from([4, 0x68, 0x69]), DEFAULT_AVRO_LIMITS) // ok: "hi"
 */
export function scanAvro(plan: ScanNode, body: Buffer, limits: AvroLimits): void {
  new Scan(body, limits).run(plan)
}

class Scan {
  #pos = 0
  #items = 0
  readonly #stack: Frame[] = []
  readonly body: Buffer
  readonly limits: AvroLimits

  constructor(body: Buffer, limits: AvroLimits) {
    this.body = body
    this.limits = limits
  }

  run(root: ScanNode): void {
    this.#value(root)
    const stack = this.#stack
    for (let frame = stack.at(-1); frame !== undefined; frame = stack.at(-1)) {
      if (frame.kind === 'record') {
        const field = frame.node.fields[frame.next++]
        if (field === undefined) stack.pop()
        else this.#value(field)
      } else if (frame.left > 0) {
        frame.left--
        if (frame.node.kind === 'map') {
          this.#blob('map key')
          this.#value(frame.node.values)
        } else {
          this.#value(frame.node.items)
        }
      } else {
        this.#nextBlock(frame)
      }
    }
    if (this.#pos !== this.body.length) {
      throw new MalformedAvro(`${this.body.length - this.#pos} trailing bytes after the value (it ends at byte ${this.#pos} of ${this.body.length})`)
    }
  }

  /** Reads a value, or pushes a frame for a record, array or map that the loop in `run` reads. */
  #value(start: ScanNode): void {
    let node = start
    for (;;) {
      switch (node.kind) {
        case 'fixed': this.#skip(node.bytes, 'fixed-size value'); return
        case 'varint': this.#varint(); return
        case 'blob': this.#blob('string or bytes'); return
        case 'enum': {
          const index = this.#varint()
          if (index < 0 || index >= node.symbolCount) throw new MalformedAvro(`enum index ${index} is out of range (${node.symbolCount} symbols)`)
          return
        }
        case 'union': {
          const index = this.#varint()
          const branch = node.branches[index]
          if (branch === undefined) throw new MalformedAvro(`union branch ${index} is out of range (${node.branches.length} branches)`)
          node = branch
          continue
        }
        case 'record': this.#push({ kind: 'record', node, next: 0 }); return
        case 'array': case 'map': this.#push({ kind: node.kind, node, left: 0, blockEnd: -1 }); return
      }
    }
  }

  #push(frame: Frame): void {
    if (this.#stack.length >= this.limits.maxDepth) {
      throw new MalformedAvro(`value nested deeper than maxDepth ${this.limits.maxDepth} (records, arrays and maps)`)
    }
    this.#stack.push(frame)
  }

  /** Reads the next block header of an array or map: its item count, and its byte size if given. */
  #nextBlock(frame: BlockFrame): void {
    if (frame.blockEnd >= 0 && this.#pos !== frame.blockEnd) {
      throw new MalformedAvro(`${frame.kind} block should end at byte ${frame.blockEnd}, its items end at byte ${this.#pos}`)
    }
    let count = this.#varint()
    if (count === 0) {
      this.#stack.pop()
      return
    }
    frame.blockEnd = -1
    if (count < 0) {
      count = -count
      const sizeBytes = this.#varint()
      if (sizeBytes < 0 || sizeBytes > this.#remaining()) {
        throw new MalformedAvro(`${frame.kind} block claims ${sizeBytes} bytes, but ${this.#remaining()} bytes remain`)
      }
      frame.blockEnd = this.#pos + sizeBytes
    }
    const itemMinBytes = frame.node.kind === 'map' ? 1 + frame.node.values.minBytes : frame.node.items.minBytes
    if (count * itemMinBytes > this.#remaining()) {
      throw new MalformedAvro(
        `${frame.kind} block claims ${count} items of at least ${itemMinBytes} bytes each, but ${this.#remaining()} bytes remain`,
      )
    }
    if (count > this.limits.maxItems - this.#items) {
      throw new MalformedAvro(`${frame.kind} block of ${count} items takes the value past maxItems ${this.limits.maxItems}`)
    }
    this.#items += count
    frame.left = count
  }

  #blob(what: string): void {
    const lengthBytes = this.#varint()
    if (lengthBytes < 0) throw new MalformedAvro(`negative length ${lengthBytes} of a ${what}`)
    this.#skip(lengthBytes, what)
  }

  #skip(lengthBytes: number, what: string): void {
    if (lengthBytes > this.#remaining()) {
      throw new MalformedAvro(`${what} of ${lengthBytes} bytes runs past the end (${this.#remaining()} bytes remain)`)
    }
    this.#pos += lengthBytes
  }

  /** A zigzag varint (Avro int or long); exact up to 2^53, which is plenty to bound a count. */
  #varint(): number {
    const body = this.body
    let unsigned = 0
    let scale = 1
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const byte = body[this.#pos]
      if (byte === undefined) throw new MalformedAvro(`truncated: a number runs past the end at byte ${this.#pos}`)
      this.#pos++
      unsigned += (byte & 0x7f) * scale
      if ((byte & 0x80) === 0) return unsigned % 2 === 0 ? unsigned / 2 : -(unsigned + 1) / 2
      scale *= 128
    }
    throw new MalformedAvro(`a number at byte ${this.#pos - MAX_VARINT_BYTES} is longer than ${MAX_VARINT_BYTES} bytes`)
  }

  #remaining(): number {
    return this.body.length - this.#pos
  }
}
