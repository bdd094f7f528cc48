// "Did you mean ...?" for a misspelt option, field or command: the closest known name within a small edit distance.

/** Levenshtein distance, bounded: names here are short, so the plain O(n*m) table is fine. */
function distance (a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
    }
    previous = current
  }
  return previous[b.length]
}

/** The known name closest to `given` (case-insensitively), or undefined when none is close enough to be a typo. */
export function closest (given: string, known: Iterable<string>): string | undefined {
  if (given.length > 100) return undefined
  const lower = given.toLowerCase()
  // A typo is a few edits: one for a short name, up to three for a long one.
  let within = Math.max(1, Math.min(3, Math.floor(given.length / 3))) + 1
  let best: string | undefined
  for (const name of known) {
    const d = distance(lower, name.toLowerCase())
    if (d < within) {
      best = name
      within = d
    }
  }
  return best
}

/** ` (did you mean "x"?)` for a message, or '' when nothing is close. */
export function didYouMean (given: string, known: Iterable<string>): string {
  const name = closest(given, known)
  return name === undefined ? '' : ` (did you mean "${name}"?)`
}
