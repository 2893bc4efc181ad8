/**
 * Bugs of the embedded log these cases found and that are not fixed yet. A case that hits one
 * runs as `test.fails`: it must still fail, so fixing a bug turns its cases red until the entry
 * here is removed. Each predicate is exact: it names only cases that hit the bug every time.
 */
import type { DamageCase, Expectation } from './damage.js'

export const KNOWN_BUGS = {
  'tail-accepts-higher-base-offset':
    'Recovery of the active segment (Segment.scan) rejects a batch only when its baseOffset is below the expected offset. ' +
    'baseOffset is outside the CRC, so a bit flip that raises it passes even the CRC check: the batch is kept and served at ' +
    'wrong offsets, the end offset jumps, and every valid batch after it is cut as "out of order". A raise past 2^32 above the ' +
    'segment base makes open throw RangeError (OffsetIndex.add / TimeIndex.add write the relative offset as uint32).',
  'sealed-read-trusts-batch-offsets':
    'PartitionLog.readSegment uses a sealed batch\'s baseOffset and lastOffsetDelta before any check and never checks that ' +
    'batches are contiguous: a changed baseOffset makes records come back at wrong offsets, be skipped silently, or stall the ' +
    'reader (empty polls, no error, when baseOffset >= end offset); a negative lastOffsetDelta makes the batch skipped silently.',
  'sealed-read-skips-short-tail':
    'A sealed segment cut at a batch boundary, or with fewer than 61 bytes of a batch left, ends silently in ' +
    'PartitionLog.readSegment: reading goes on in the next segment and the lost offsets are skipped with no error.',
  'sealed-offset-index-trusted':
    'A sealed segment\'s .index that is well-formed but wrong (an entry\'s offset lowered, or its position moved into a batch) is ' +
    'loaded as is (OffsetIndex.load checks only shape and order): reads starting in that entry\'s range skip records silently ' +
    'or throw CorruptRecordError on intact data.',
  'sealed-time-index-trusted':
    'A sealed segment\'s .timeindex that is well-formed but short (truncated to fewer entries, or empty) or whose last ' +
    'timestamp is lowered sets the segment\'s maxTimestamp too low (Segment.loadIndexes): seekToTimestamp skips the segment ' +
    'and lands on a later offset; time retention misjudges it too (an empty one gives maxTimestamp -1: never expired).',
  'segment-named-directory': 'A directory named like a segment file (00000000000000001000.log) makes open throw EISDIR.',
  'segment-named-link':
    'A symbolic link named like a segment file is opened as the newest segment: recovery truncates the file it points to, ' +
    'outside the data directory, and the partition\'s end offset jumps to the offset in the link\'s name.',
} as const

export type KnownBugId = keyof typeof KNOWN_BUGS

/** The smallest batch header: a cut leaving fewer bytes of a batch is not seen by the reader. */
const BATCH_HEADER_BYTES = 61

/** The known bug a case hits, if any. */
export function knownBugOf(damageCase: DamageCase, expectation: Expectation): KnownBugId | undefined {
  if (damageCase.knownBug !== undefined) return damageCase.knownBug
  const { segment, kind, field, baseOffsetChange, lastOffsetDeltaAfter, tornBatchBytesLeft } = expectation.facts
  if (kind === 'flip' && field === 'baseOffset' && segment === 'active' && baseOffsetChange > 0) return 'tail-accepts-higher-base-offset'
  if (kind === 'flip' && field === 'baseOffset' && segment === 'sealed' && baseOffsetChange !== 0) return 'sealed-read-trusts-batch-offsets'
  if (kind === 'flip' && field === 'lastOffsetDelta' && segment === 'sealed' && (lastOffsetDeltaAfter ?? 0) < 0) return 'sealed-read-trusts-batch-offsets'
  if (kind === 'truncate' && segment === 'sealed' && (tornBatchBytesLeft ?? BATCH_HEADER_BYTES) < BATCH_HEADER_BYTES) return 'sealed-read-skips-short-tail'
  return undefined
}
