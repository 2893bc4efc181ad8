/**
 * The Kafka Streams anchor's jar (test/bench/anchors/kafka-streams): built with Maven when it is
 * missing or older than its sources (offline first, from the local repository; online if that
 * lacks something). A missing project or Maven is a clear error, never a run without the anchor.
 *
 * @example
 * const jar = await anchorJar()
 * spawn('java', ['-jar', jar, '--query', 'q1', ...])
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const anchorDir = fileURLToPath(new URL('../anchors/kafka-streams/', import.meta.url))
export const anchorJarPath = join(anchorDir, 'target', 'kafka-streams-anchor.jar')

/**
 * The anchor jar, built first if it is missing or stale.
 *
 * @example
 * const jar = await anchorJar() // …/test/bench/anchors/kafka-streams/target/kafka-streams-anchor.jar
 */
export async function anchorJar(): Promise<string> {
  const pom = join(anchorDir, 'pom.xml')
  if (!existsSync(pom)) throw new Error(`the Kafka Streams anchor project is missing: no ${pom}`)
  const sourcesMs = await newestMtimeMs([pom, join(anchorDir, 'src')])
  const jarMs = existsSync(anchorJarPath) ? (await stat(anchorJarPath)).mtimeMs : -1
  if (jarMs >= sourcesMs) return anchorJarPath
  process.stderr.write(`building ${anchorJarPath} with Maven…\n`)
  try {
    await maven(['-q', '-o', 'package', '-f', pom])
  } catch (offline) {
    if (isMissingCommand(offline)) throw new Error('Maven (mvn) is not on PATH: it builds the Kafka Streams anchor (test/bench/anchors/kafka-streams)', { cause: offline })
    process.stderr.write('the offline build failed; building with the remote repository\n')
    await maven(['-q', 'package', '-f', pom])
  }
  if (!existsSync(anchorJarPath)) throw new Error(`Maven built the anchor project but left no ${anchorJarPath}`)
  return anchorJarPath
}

function maven(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('mvn', args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve()
      else reject(Object.assign(new Error(`mvn ${args.join(' ')} failed:\n${stdout}${stderr}`.trim(), { cause: error }), { code: (error as NodeJS.ErrnoException).code }))
    })
  })
}

function isMissingCommand(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT'
}

/** The newest modification time of the files under `paths`. */
async function newestMtimeMs(paths: readonly string[]): Promise<number> {
  let newest = 0
  for (const path of paths) {
    if (!existsSync(path)) continue
    const info = await stat(path)
    if (info.isDirectory()) newest = Math.max(newest, await newestMtimeMs((await readdir(path)).map((name) => join(path, name))))
    else newest = Math.max(newest, info.mtimeMs)
  }
  return newest
}
