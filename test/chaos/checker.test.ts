import { describe, expect, test } from 'vitest'
import { checkRecords, checkState, classify, combine } from './checker.js'
import { summarize } from './report.js'

describe('the chaos checker', () => {
  test('finds nothing in an exact output', () => {
    expect(checkRecords({ expected: [3, 2], exactlyOnce: true }, [[0, 1, 2], [0, 1]])).toMatchObject({ lost: 0, duplicated: 0, aborted_read: 0, out_of_order: 0, problems: [] })
  })

  test('counts lost, duplicated and out-of-order records per producer, and names them', () => {
    const report = checkRecords({ expected: [5], exactlyOnce: true }, [[0, 2, 1, 2, 4]])
    expect(report).toMatchObject({ lost: 1, duplicated: 1, out_of_order: 1, aborted_read: 0 })
    expect(report.problems).toEqual([
      'lost: producer 0 lacks 1 of its 5 records (3)',
      'duplicated: producer 0 has 1 records more than once (2)',
      'out of order: producer 0 has 1 records read after a later one (1)',
    ])
  })

  test('at least once, a redelivered run is no duplicate and no disorder', () => {
    expect(checkRecords({ expected: [4], exactlyOnce: false }, [[0, 1, 2, 1, 2, 3]])).toMatchObject({ lost: 0, duplicated: 0, out_of_order: 0 })
  })

  test('a record past the committed input offsets was read from a transaction that did not commit', () => {
    expect(checkRecords({ expected: [2], committed: [2], exactlyOnce: true }, [[0, 1, 2]])).toMatchObject({ aborted_read: 1, lost: 0 })
  })

  test('state: keys that differ, are missing or are extra', () => {
    const report = checkState('counts', new Map([['a', 1], ['b', 2]]), new Map([['a', 1], ['b', 3], ['c', 1]]))
    expect(report.state_mismatch).toBe(2)
    expect(report.problems).toEqual(['state: counts differs from the model at 2 keys (b: 3 for 2, c: 1, which the model has not)'])
  })

  test('classify reads the class from a problem line; combine and summarize add up', () => {
    const report = combine(classify(['lost: x', 'wrong: y', 'order: z']), classify(['duplicated: w']))
    expect(report).toMatchObject({ lost: 1, duplicated: 1, out_of_order: 1, state_mismatch: 1 })
    const line = { suite: 's', runs: 2, faults_injected: 1, ...report }
    expect(summarize([line, line])).toEqual({ suite: 'all', runs: 4, faults_injected: 2, lost: 2, duplicated: 2, aborted_read: 0, out_of_order: 2, state_mismatch: 2 })
  })
})
