/**
 * The stdio connectors: `stdin-source` reads lines from stdin (or any readable stream, in code),
 * `stdout-sink` writes record values as lines to stdout (or any writable stream).
 *
 * @example
 * import { readableSource, stdoutSink } from 'tributary/connectors/stdio'
 */
export { readableSource, stdinSource } from './stdin-source.js'
export { writableSink, stdoutSink } from './stdout-sink.js'
