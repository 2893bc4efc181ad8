import { DEFAULT_DATA_DIR } from './args.js'

/** The overview printed by `tributary --help` and after a command-line mistake outside any command. */
export const mainUsage = `Usage: tributary <command> [options]

Commands:
  topics create NAME --partitions N [--compact] [--retention-ms MS]
  topics list
  topics describe NAME
  topics delete NAME
  produce TOPIC [--key-separator SEP]
  consume TOPIC [--from-beginning] [--group G] [--max N] [--timeout-ms MS] [--format text|json]
  connect CONFIG.json [--kafka BROKERS] [--describe]   run connectors (sources and sinks)
  run APP.ts [--kafka BROKERS] [--data DIR] [-- APP_ARGS...]   run an app file (TypeScript, no build)
  describe APP.ts [--format text|mermaid|html] [--out FILE]   print an app file's topology
  dlq list TOPIC [--format text|json] [--max N]               show dead letters and their provenance
  dlq replay TOPIC [--to TOPIC] [--group G]                   send dead letters back for processing
  help [COMMAND]

Every command takes --data DIR, the data directory (default ${DEFAULT_DATA_DIR}).
Run 'tributary help COMMAND' or 'tributary COMMAND --help' for a command's options.

Exit codes: 0 done, 1 the log refused (the message says why), 2 bad command line.`
