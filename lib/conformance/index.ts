import { KIND_DESCRIPTIONS, selectCases } from './cases'
import { renderTable } from './table'
import { runConformance } from './run'
import { CASE_HEADER } from './upstream'

export type { CaseKind, ConformanceCase } from './cases'
export type { CaseResult, ConformanceOptions, ConformanceResult } from './run'

// CommonJS written one name at a time, as the main entry is, so that Node's ES-module loader sees each one.
module.exports.runConformance = runConformance
module.exports.renderTable = renderTable
module.exports.selectCases = selectCases
module.exports.KIND_DESCRIPTIONS = KIND_DESCRIPTIONS
module.exports.CASE_HEADER = CASE_HEADER
