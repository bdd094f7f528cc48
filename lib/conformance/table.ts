import type { CaseResult, ConformanceResult } from './run'

const COLUMNS: Array<[string, (row: CaseResult) => string]> = [
  ['case', (row) => row.id],
  ['upstream', (row) => String(row.upstreamStatus)],
  ['gateway', (row) => row.gatewayStatus === null ? '-' : String(row.gatewayStatus)],
  ['expected', (row) => row.expected],
  ['SDK-visible outcome', (row) => row.outcome],
  ['result', (row) => row.pass ? 'ok' : `FAIL: ${row.problem as string}`]
]

/** The run as a plain-text table, one case a row, then a line naming every failing case. */
export function renderTable (result: ConformanceResult): string {
  const cells = result.cases.map((row) => COLUMNS.map(([, cell]) => cell(row)))
  const widths = COLUMNS.map(([title], i) => Math.max(title.length, ...cells.map((row) => row[i].length)))
  const line = (row: string[]): string => row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i])).join('  ')
  const failed = result.cases.filter((row) => !row.pass).map((row) => row.id)
  const summary = failed.length === 0
    ? `all ${result.cases.length} cases pass`
    : `${failed.length} of ${result.cases.length} cases fail: ${failed.join(', ')}`
  return [line(COLUMNS.map(([title]) => title)), ...cells.map(line), '', summary].join('\n')
}
