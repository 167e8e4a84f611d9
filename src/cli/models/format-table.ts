/**
 * @module cli/models/format-table
 * Plain-text tables for the terminal: a header row, columns padded to their widest cell.
 */

/** Rows of cells under `headers`, two spaces between columns; `(none)` when there are no rows. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '(none)'
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)))
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()
  return [line(headers), ...rows.map(line)].join('\n')
}

/** `{acc: 0.93, loss: 0.2}` → `acc=0.93 loss=0.2`. */
export function formatMetrics(metrics: Readonly<Record<string, number>> | undefined): string {
  return Object.entries(metrics ?? {}).map(([key, value]) => `${key}=${value}`).join(' ')
}

/** An ISO timestamp without milliseconds, or '' when absent. */
export function formatTime(iso: string | undefined): string {
  return iso ? iso.replace(/\.\d{3}Z$/, 'Z') : ''
}
