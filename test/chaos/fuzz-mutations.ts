/**
 * Byte-level mutations of a file for the fuzzing suite, as fast-check arbitraries. Positions are
 * drawn independently of the file's size and taken modulo it when applied, so one arbitrary fits
 * every file and shrinks towards position 0 and short edits.
 */
import fc from 'fast-check'

/** One edit of a file's bytes. */
export type ByteMutation =
  /** The whole file replaced by these bytes. */
  | { readonly kind: 'replace'; readonly bytes: Uint8Array }
  /** Bytes written over the file from `at` (the file grows when they run past its end). */
  | { readonly kind: 'overwrite'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  /** A copy of the file's own bytes `[from, from + length)` inserted at `to`: whole valid batches in the wrong place. */
  | { readonly kind: 'splice'; readonly from: number; readonly length: number; readonly to: number }

const position = fc.nat({ max: 1 << 20 })
const smallBytes = fc.uint8Array({ minLength: 1, maxLength: 64 })

/**
 * One mutation; `maxReplaceBytes` bounds the random file that replaces the whole file.
 *
 * @example
 * fc.sample(byteMutation(512), 1) // [{ kind: 'flip', at: 70123, bit: 3 }]
 */
export function byteMutation(maxReplaceBytes: number): fc.Arbitrary<ByteMutation> {
  return fc.oneof(
    fc.record({ kind: fc.constant('replace' as const), bytes: fc.uint8Array({ maxLength: maxReplaceBytes }) }),
    fc.record({ kind: fc.constant('overwrite' as const), at: position, bytes: smallBytes }),
    fc.record({ kind: fc.constant('insert' as const), at: position, bytes: smallBytes }),
    fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 4096 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: position }),
    fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.nat({ max: 7 }) }),
    fc.record({ kind: fc.constant('splice' as const), from: position, length: fc.integer({ min: 1, max: 8192 }), to: position }),
  )
}

/**
 * One to `maxEdits` mutations, applied in order.
 *
 * @example
 * fc.assert(fc.property(byteMutations(256, 4), (edits) => applyMutations(Buffer.from('abc'), edits).length >= 0))
 */
export function byteMutations(maxReplaceBytes: number, maxEdits: number): fc.Arbitrary<readonly ByteMutation[]> {
  return fc.array(byteMutation(maxReplaceBytes), { minLength: 1, maxLength: maxEdits })
}

/**
 * The bytes after `mutations`, applied in order; the input is not changed.
 *
 * @example
 * applyMutations(Buffer.from('abcdef'), [{ kind: 'truncate', at: 3 }]).toString() // 'abc'
 */
export function applyMutations(data: Buffer, mutations: readonly ByteMutation[]): Buffer {
  let out: Buffer = Buffer.from(data)
  for (const mutation of mutations) out = applyMutation(out, mutation)
  return out
}

function applyMutation(data: Buffer, mutation: ByteMutation): Buffer {
  const at = (value: number, room: number): number => value % (room + 1)
  switch (mutation.kind) {
    case 'replace':
      return Buffer.from(mutation.bytes)
    case 'overwrite': {
      const start = at(mutation.at, data.length)
      const out = Buffer.alloc(Math.max(data.length, start + mutation.bytes.length))
      data.copy(out)
      out.set(mutation.bytes, start)
      return out
    }
    case 'insert': {
      const start = at(mutation.at, data.length)
      return Buffer.concat([data.subarray(0, start), mutation.bytes, data.subarray(start)])
    }
    case 'delete': {
      const start = at(mutation.at, data.length)
      return Buffer.concat([data.subarray(0, start), data.subarray(start + mutation.length)])
    }
    case 'truncate':
      return Buffer.from(data.subarray(0, at(mutation.at, data.length)))
    case 'flip': {
      if (data.length === 0) return data
      const out = Buffer.from(data)
      const index = mutation.at % data.length
      out[index] = out[index]! ^ (1 << mutation.bit)
      return out
    }
    case 'splice': {
      const from = at(mutation.from, data.length)
      const piece = data.subarray(from, from + mutation.length)
      const to = at(mutation.to, data.length)
      return Buffer.concat([data.subarray(0, to), piece, data.subarray(to)])
    }
  }
}

/** A top-level field of a JSON file set to another value (a well-formed lie, which byte edits rarely make). */
export interface JsonFieldEdit {
  readonly field: string
  readonly value: unknown
}

/**
 * Edits of a producer-state snapshot's fields (`endOffset`, `ongoing`, `aborted`): any JSON, and
 * values of the right shape with wrong numbers.
 *
 * @example
 * fc.sample(snapshotEdits(), 1) // [[{ field: 'ongoing', value: [[7, 0]] }]]
 */
export function snapshotEdits(): fc.Arbitrary<readonly JsonFieldEdit[]> {
  const offset = fc.integer({ min: -2, max: 200 })
  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.array(fc.tuple(fc.integer({ min: -1, max: 9 }), offset), { maxLength: 3 }),
    fc.array(fc.record({ producerId: fc.integer({ min: -1, max: 9 }), firstOffset: offset, lastOffset: offset }), { maxLength: 3 }),
  )
  return fc.array(fc.record({ field: fc.constantFrom('endOffset', 'ongoing', 'aborted'), value }), { minLength: 1, maxLength: 3 })
}

/**
 * The JSON text with `edits` applied to its top-level object (unchanged when it is not one).
 *
 * @example
 * applyJsonEdits('{"endOffset":5}', [{ field: 'endOffset', value: 4 }]) // '{"endOffset":4}'
 */
export function applyJsonEdits(text: string, edits: readonly JsonFieldEdit[]): string {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return text
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return text
  const edited: Record<string, unknown> = { ...parsed }
  for (const { field, value } of edits) edited[field] = value
  return JSON.stringify(edited)
}
