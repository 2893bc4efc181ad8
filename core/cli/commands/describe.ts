import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ConfigError } from '../../errors.js'
import type { App } from '../../runtime/app.js'
import type { TopologyDescription } from '../../runtime/describe.js'
import { withAppFile } from '../app-file.js'
import { appFileCommandLine } from '../app-file-args.js'
import { type Command, UsageError } from '../args.js'
import { type CliIo, writeLine, writeText } from '../io.js'
import { topologyPage } from '../topology-html.js'

const FORMATS = ['text', 'mermaid', 'html'] as const
type DescribeFormat = (typeof FORMATS)[number]

const usage = `Usage: tributary describe APP.ts [APP_ARGS...] [--format text|mermaid|html] [--out FILE]
                         [--kafka BROKERS] [--data DIR] [-- APP_ARGS...]

Prints the topology of the app that an app file starts, without running the app. The file
runs as under 'tributary run' up to its first app.start(), which then stops it: what the
file does before (parsing its arguments, loading its input) does happen, and whatever it
puts in the system's temporary directory goes to one of describe's own, removed at the end.
A file that starts several apps in turn is described by its first; pick another with the
file's own arguments (for examples/nexmark, the query: describe ... q5).

Options:
  --format text      the sub-topologies with their sources, processors, stores and sinks (default)
  --format mermaid   a Mermaid flowchart, for Markdown that renders Mermaid
  --format html      a standalone page with the graph drawn (inline SVG: opens offline),
                     written to --out FILE (default <app id>-topology.html; - for stdout)
  --out FILE         where the html page goes
  --kafka BROKERS    as for run: the file prepares its input on Kafka
  --data DIR         as for run: passed on to the app as its own '--data DIR'
  -h, --help         show this help`

/** Thrown from the launch hook to stop the file at `app.start()`: the app never opens its log. */
class DescribedSignal extends Error {
  constructor() {
    super('tributary describe stops the app file at app.start()')
    this.name = 'DescribedSignal'
  }
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const commandLine = appFileCommandLine(args, usage)
  if (commandLine.help) {
    await writeLine(io.stdout, usage)
    return 0
  }
  const format = commandLine.format ?? 'text'
  if (!isDescribeFormat(format)) throw new UsageError(`--format must be text, mermaid or html, got ${JSON.stringify(format)}`, usage)
  if (commandLine.out !== undefined && format !== 'html') throw new UsageError('--out goes with --format html', usage)
  const described = await describeAppFile(commandLine.file, commandLine.appArgs, commandLine.env)
  if (format === 'text') await writeText(io.stdout, described.description.text)
  else if (format === 'mermaid') await writeText(io.stdout, described.description.mermaid)
  else {
    const page = topologyPage(described.appId, described.description)
    const out = commandLine.out ?? `${described.appId}-topology.html`
    if (out === '-') await writeText(io.stdout, page)
    else {
      await fs.promises.writeFile(out, page)
      await writeLine(io.stderr, `wrote the topology of ${described.appId} to ${out}`)
    }
  }
  return 0
}

/** Runs the file up to its first `app.start()` in a temporary directory of its own, and describes that app. */
async function describeAppFile(file: string, args: readonly string[], env: Readonly<Record<string, string>>): Promise<{ appId: string; description: TopologyDescription }> {
  const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-describe-'))
  let described: { appId: string; description: TopologyDescription } | undefined
  const onStart = async (app: App): Promise<void> => {
    described ??= { appId: app.id, description: app.describe() }
    throw new DescribedSignal()
  }
  try {
    await withAppFile({ file, args, env: { ...env, TMPDIR: sandbox }, onStart }, async (imported) => {
      // Once described, how the file takes the stop (it rethrows DescribedSignal, wrapped) does not matter.
      await imported.catch((error: unknown) => {
        if (described === undefined) throw error
      })
    })
  } finally {
    fs.rmSync(sandbox, { recursive: true, force: true })
  }
  if (described === undefined) throw new ConfigError('APP', `${file} finished without starting an app, so there is no topology to describe`)
  return described
}

function isDescribeFormat(value: string): value is DescribeFormat {
  return (FORMATS as readonly string[]).includes(value)
}

/** `tributary describe`: prints an app file's topology as text or Mermaid, or writes it as an HTML page. */
export const describeCommand: Command = { name: 'describe', usage, run }
