/**
 * What a crash-test child process (append-child, eos-child) shares: whole-line synchronous
 * writes to stdout, and running its main so that a failure is reported on stderr with exit 1.
 */
import fs from 'node:fs'

/** Writes a whole line to stdout before returning (fd 1 may be non-blocking: retry on EAGAIN). */
export function printLine(line: string): void {
  const bytes = Buffer.from(`${line}\n`)
  let written = 0
  while (written < bytes.length) {
    try {
      written += fs.writeSync(1, bytes, written, bytes.length - written)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error
    }
  }
}

/** Runs `main`; if it fails, prints `<name> failed: <stack>` to stderr and exits 1. */
export function runChild(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  })
}
