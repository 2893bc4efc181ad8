import fs from 'node:fs'

let template: string | undefined

/**
 * The dashboard: one HTML page with its styles and script inline (no build step, nothing
 * fetched from elsewhere, so it works offline). It draws the topology as an SVG graph and
 * follows `/events` for live figures.
 *
 * @example
 * response.end(dashboardPage('wordcount'))
 */
export function dashboardPage(appId: string): string {
  template ??= fs.readFileSync(new URL('./dashboard.html', import.meta.url), 'utf8')
  return template.replaceAll('{{APP}}', escapeHtml(appId))
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}
