import { describe, expect, it } from 'vitest'
import { UsageError, integerOption, negativeValuesJoined, takePositionals } from '../../core/cli/args.js'

describe('integerOption', () => {
  it('gives undefined for an option that was not given', () => {
    expect(integerOption('--max', undefined, { min: 1 }, 'usage')).toBeUndefined()
  })

  it('parses an integer within the range', () => {
    expect(integerOption('--retention-ms', '-1', { min: -1 }, 'usage')).toBe(-1)
    expect(integerOption('--partitions', '12', { min: 1, max: 100 }, 'usage')).toBe(12)
  })

  it('refuses text, fractions, exponents and unsafe integers', () => {
    for (const value of ['x', '1.0', '1e3', '', ' 1', '99999999999999999999']) {
      expect(() => integerOption('--max', value, { min: 1 }, 'usage')).toThrow(UsageError)
    }
  })

  it('refuses values outside the range, naming the bound', () => {
    expect(() => integerOption('--partitions', '0', { min: 1, max: 100 }, 'usage')).toThrow(
      '--partitions must be from 1 to 100, got 0',
    )
    expect(() => integerOption('--max', '0', { min: 1 }, 'usage')).toThrow('--max must be at least 1, got 0')
  })
})

describe('negativeValuesJoined', () => {
  it('joins a numeric flag with a negative value', () => {
    expect(negativeValuesJoined(['a', '--retention-ms', '-1', '--x'], ['--retention-ms'])).toEqual([
      'a',
      '--retention-ms=-1',
      '--x',
    ])
  })

  it('leaves other flags, non-numbers and everything after -- alone', () => {
    expect(negativeValuesJoined(['--other', '-1'], ['--retention-ms'])).toEqual(['--other', '-1'])
    expect(negativeValuesJoined(['--retention-ms', '-h'], ['--retention-ms'])).toEqual(['--retention-ms', '-h'])
    expect(negativeValuesJoined(['--', '--retention-ms', '-1'], ['--retention-ms'])).toEqual(['--', '--retention-ms', '-1'])
  })
})

describe('takePositionals', () => {
  it('names what is missing and what is extra', () => {
    expect(() => takePositionals([], ['TOPIC'], 'usage')).toThrow('missing TOPIC')
    expect(() => takePositionals(['a', 'b'], ['TOPIC'], 'usage')).toThrow('unexpected argument "b"')
    expect(takePositionals(['a'], ['TOPIC'], 'usage')).toEqual(['a'])
  })
})
