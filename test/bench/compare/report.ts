/**
 * The comparison's outputs besides its JSON lines: a grouped bar chart of the two ratios per
 * query and mode (plain SVG, written here), and a markdown table for the README.
 *
 * @example
 * await writeFile('results.svg', ratioChart(lines, machineDescription()))
 * await writeFile('results.md', resultsTable(lines, machineDescription()))
 */
import os from 'node:os'

/** One query and mode's line, as printed. */
export interface CompareLine {
  readonly query: string
  readonly mode: string
  readonly events: number
  readonly kafka_streams_events_per_s: number
  readonly kafka_events_per_s: number
  readonly embedded_events_per_s: number
  readonly ratio_kafka_to_kafka_streams: number
  readonly ratio_embedded_to_kafka_streams: number
  readonly outputs_agree: boolean
  /** Keys in Kafka Streams' output (0: nothing was compared). */
  readonly output_keys: number
}

/**
 * The machine and the date, for the chart's title and the table's caption.
 *
 * @example
 * machineDescription() // 'AMD EPYC × 2, 24 GiB, linux 6.1.0, 2026-11-26'
 */
export function machineDescription(now: Date = new Date()): string {
  const cpus = os.cpus()
  const memoryGb = Math.round(os.totalmem() / 2 ** 30)
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'} × ${cpus.length}, ${memoryGb} GiB, ${os.platform()} ${os.release()}, ${now.toISOString().slice(0, 10)}`
}

const width = 960
const height = 480
const margin = { top: 70, right: 20, bottom: 80, left: 70 }
const colors = { kafka: '#4477aa', embedded: '#ee7733' }

/**
 * A grouped bar chart: per query and mode, Tributary on Kafka and on the embedded log, each over
 * Kafka Streams, with lines at 1.0 and 2.0.
 *
 * @example
 * await writeFile('results.svg', ratioChart(lines, machineDescription()))
 */
export function ratioChart(lines: readonly CompareLine[], machine: string): string {
  const plotWidth = width - margin.left - margin.right
  const plotHeight = height - margin.top - margin.bottom
  const ratios = lines.flatMap((line) => [line.ratio_kafka_to_kafka_streams, line.ratio_embedded_to_kafka_streams]).filter(Number.isFinite)
  const top = Math.max(2.5, Math.ceil(Math.max(0, ...ratios) * 2) / 2)
  const y = (ratio: number): number => Math.round((margin.top + plotHeight - (Math.max(0, ratio) / top) * plotHeight) * 10) / 10
  const groupWidth = plotWidth / Math.max(1, lines.length)
  const barWidth = Math.min(28, groupWidth / 3)
  const parts: string[] = []
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`)
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`)
  parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="16">Tributary over Kafka Streams, Nexmark (${lines[0]?.events.toLocaleString('en') ?? 0} events)</text>`)
  parts.push(`<text x="${width / 2}" y="40" text-anchor="middle" fill="#555">${escapeXml(machine)}</text>`)
  for (let tick = 0; tick <= top + 1e-9; tick += 0.5) {
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#eee"/>`)
    parts.push(`<text x="${margin.left - 6}" y="${y(tick) + 4}" text-anchor="end">${tick.toFixed(1)}</text>`)
  }
  for (const [index, line] of lines.entries()) {
    const center = margin.left + groupWidth * (index + 0.5)
    for (const [side, ratio, color] of [[-1, line.ratio_kafka_to_kafka_streams, colors.kafka], [0, line.ratio_embedded_to_kafka_streams, colors.embedded]] as const) {
      if (!Number.isFinite(ratio)) continue
      const x = center + side * barWidth
      parts.push(`<rect x="${x.toFixed(1)}" y="${y(ratio).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(y(0) - y(ratio)).toFixed(1)}" fill="${color}"><title>${ratio.toFixed(2)}</title></rect>`)
      parts.push(`<text x="${(x + barWidth / 2).toFixed(1)}" y="${(y(ratio) - 3).toFixed(1)}" text-anchor="middle" font-size="10">${ratio.toFixed(2)}</text>`)
    }
    const mode = line.mode === 'exactly_once' ? 'EOS' : 'ALOS'
    parts.push(`<text x="${center.toFixed(1)}" y="${y(0) + 16}" text-anchor="middle">${escapeXml(line.query)}</text>`)
    parts.push(`<text x="${center.toFixed(1)}" y="${y(0) + 30}" text-anchor="middle" fill="#555">${mode}${line.outputs_agree ? '' : ' ≠'}</text>`)
  }
  for (const [ratio, dash] of [[1, ''], [2, ' stroke-dasharray="6 4"']] as const) {
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(ratio)}" y2="${y(ratio)}" stroke="#333"${dash}/>`)
    parts.push(`<text x="${width - margin.right - 4}" y="${y(ratio) - 4}" text-anchor="end" fill="#333">${ratio.toFixed(1)}×</text>`)
  }
  parts.push(`<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${y(0)}" stroke="#333"/>`)
  parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(0)}" y2="${y(0)}" stroke="#333"/>`)
  parts.push(`<text transform="translate(20 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">events/s over Kafka Streams' events/s</text>`)
  parts.push(`<text x="${margin.left + plotWidth / 2}" y="${height - 28}" text-anchor="middle">query and processing mode (ALOS at_least_once, EOS exactly_once; ≠ outputs differ)</text>`)
  const legendY = height - 12
  parts.push(`<rect x="${margin.left}" y="${legendY - 10}" width="12" height="12" fill="${colors.kafka}"/><text x="${margin.left + 18}" y="${legendY}">Tributary on Kafka</text>`)
  parts.push(`<rect x="${margin.left + 160}" y="${legendY - 10}" width="12" height="12" fill="${colors.embedded}"/><text x="${margin.left + 178}" y="${legendY}">Tributary on the embedded log</text>`)
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}

/**
 * A markdown table of the lines, with the machine above it and the notes under it.
 *
 * @example
 * await writeFile('results.md', resultsTable(lines, machineDescription(), ['750000 events']))
 */
export function resultsTable(lines: readonly CompareLine[], machine: string, notes: readonly string[]): string {
  const rate = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en') : '–')
  const ratio = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : '–')
  const rows = lines.map((line) => `| ${line.query} | ${line.mode} | ${rate(line.kafka_streams_events_per_s)} | ${rate(line.kafka_events_per_s)} | ${rate(line.embedded_events_per_s)} | ${ratio(line.ratio_kafka_to_kafka_streams)} | ${ratio(line.ratio_embedded_to_kafka_streams)} | ${line.outputs_agree ? 'yes' : 'no'} | ${line.output_keys.toLocaleString('en')} |`)
  return [
    `Nexmark, ${lines[0]?.events.toLocaleString('en') ?? 0} events; ${machine}.`,
    '',
    '| query | mode | Kafka Streams events/s | Tributary on Kafka events/s | Tributary embedded events/s | Kafka ÷ KS | embedded ÷ KS | outputs agree | output keys |',
    '|---|---|--:|--:|--:|--:|--:|---|--:|',
    ...rows,
    '',
    ...notes.map((note) => `- ${note}`),
    '',
  ].join('\n')
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}
