import { KIND_DESCRIPTIONS, selectCases } from './cases'
import { renderTable } from './table'
import { runConformance } from './run'
import { CASE_HEADER } from './upstream'

export type { CaseKind, ConformanceCase } from './cases'
export type { CaseResult, ConformanceOptions, ConformanceResult } from './run'

// CommonJS with each name visible to Node's ES-module loader, as the main entry does.
module.exports = { runConformance, renderTable, selectCases, KIND_DESCRIPTIONS, CASE_HEADER }
