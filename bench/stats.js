'use strict'

/** The q-quantile (0..1) of numbers, interpolated between the two nearest ranks. */
function quantile (values, q) {
  if (values.length === 0) return NaN
  const sorted = Float64Array.from(values).sort()
  const position = (sorted.length - 1) * q
  const low = Math.floor(position)
  const high = Math.ceil(position)
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low)
}

const median = (values) => quantile(values, 0.5)

module.exports = { quantile, median }
