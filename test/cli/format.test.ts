import { describe, expect, it } from 'vitest'
import { formatBytes, formatDurationMs, formatTable } from '../../core/cli/format.js'
import { formatRecord } from '../../core/cli/record-format.js'
import type { LogRecord } from '../../core/log/types.js'

describe('formatBytes', () => {
  it('prints bytes below 1 KiB as bytes', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(1023)).toBe('1023 B')
  })

  it('prints larger sizes in binary units with one decimal', () => {
    expect(formatBytes(1536)).toBe('1.5 KiB')
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB')
    expect(formatBytes(1024 ** 3)).toBe('1.0 GiB')
  })

  it('prints an unknown size as a dash', () => {
    expect(formatBytes(undefined)).toBe('-')
  })
})

describe('formatDurationMs', () => {
  it('uses the largest unit that divides the duration', () => {
    expect(formatDurationMs(7 * 24 * 60 * 60 * 1000)).toBe('7 days')
    expect(formatDurationMs(60 * 60 * 1000)).toBe('1 hour')
    expect(formatDurationMs(90_000)).toBe('90 seconds')
    expect(formatDurationMs(1500)).toBe('1500 ms')
  })

  it('prints -1 as forever', () => {
    expect(formatDurationMs(-1)).toBe('forever')
  })
})

describe('formatTable', () => {
  it('pads columns to their widest cell and right-aligns the chosen ones', () => {
    const table = formatTable(['partition', 'size'], [['0', '1.5 KiB'], ['10', '3 B']], new Set([0]))
    expect(table).toBe('partition  size\n        0  1.5 KiB\n       10  3 B\n')
  })
})

describe('formatRecord', () => {
  const record: LogRecord = {
    topic: 'events',
    partition: 2,
    offset: 7,
    timestamp: 1_700_000_000_000,
    key: Buffer.from('k'),
    value: Buffer.from('vålue'),
    headers: [{ key: 'source', value: Buffer.from('test') }],
  }

  it('prints the value as a line in text format', () => {
    expect(formatRecord(record, 'text')).toBe('vålue\n')
  })

  it('prints a null value as an empty line in text format', () => {
    expect(formatRecord({ ...record, value: null }, 'text')).toBe('\n')
  })

  it('prints every field as one JSON line in json format, in a fixed order', () => {
    expect(formatRecord(record, 'json')).toBe(
      '{"topic":"events","partition":2,"offset":7,"timestamp":1700000000000,' +
        '"key":"k","value":"vålue","headers":[{"key":"source","value":"test"}]}\n',
    )
  })

  it('keeps a null key and value as null in json format', () => {
    const line = formatRecord({ ...record, key: null, value: null, headers: [] }, 'json')
    expect(JSON.parse(line)).toMatchObject({ key: null, value: null, headers: [] })
  })
})
