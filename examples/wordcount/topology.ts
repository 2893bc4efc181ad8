import { serdes, type App } from '../../index.js'
import { filter, flatMap, selectKey } from '../../operators/index.js'

/**
 * The wordcount topology: lines of text in, one record per word out, keyed by the word in
 * lower case so that every occurrence of a word lands on the same partition.
 */
export function wordcount(app: App, input = 'lines', output = 'words'): void {
  app
    .stream(input, { value: serdes.string() })
    .pipe(
      flatMap((line) => line.split(/[^\p{L}\p{N}']+/u)),
      filter((word) => word.length > 0),
      selectKey((word) => word.toLowerCase()),
    )
    .to(output, { key: serdes.string(), value: serdes.string() })
}
