import { named, serdes, type App, type Table } from '../../index.js'
import { filter, flatMap } from '../../operators/index.js'

/**
 * The wordcount topology: lines of text in; words, grouped by their lower-case form (through a
 * repartition topic, so every occurrence of a word is counted by one task), counted in the
 * `word-counts` store; every changed count out to the `word-counts` topic.
 */
export function wordcount(app: App, input = 'lines', output = 'word-counts'): Table<string, number> {
  const counts = app
    .stream(input, { value: serdes.string() })
    .pipe(
      flatMap((line) => line.split(/[^\p{L}\p{N}']+/u)),
      filter((word) => word.length > 0),
    )
    .groupBy((word) => word.toLowerCase(), { key: serdes.string(), value: serdes.string() })
    .count(named('word-counts'))
  counts.toStream().to(output, { key: serdes.string(), value: serdes.float64() })
  return counts
}
