import type { Readable, Writable } from 'node:stream'

/**
 * The streams a CLI run talks to. The process entry passes its own; tests pass
 * in-memory streams and run the CLI in-process.
 */
export interface CliIo {
  readonly stdin: Readable
  readonly stdout: Writable
  readonly stderr: Writable
  /** Aborted on SIGINT: a tailing `consume` then stops and exits 0. */
  readonly signal?: AbortSignal
}

/**
 * Writes text and resolves once the stream has taken it, so a caller can act
 * (commit offsets, exit) only after its output is out, and a slow reader slows us down.
 */
export function writeText(stream: Writable, text: string): Promise<void> {
  if (text.length === 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()))
  })
}

/** Writes `text` and a newline. */
export function writeLine(stream: Writable, text: string): Promise<void> {
  return writeText(stream, `${text}\n`)
}
