import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

// What a test can count of the process: live resources (handles, sockets, ref'd timers) and closes within a bound.

/** Resolves when `closed` does; rejects, failing the test at once, when it has not within `ms`. */
export async function closedWithin (closed: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([closed, new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`not closed within ${ms} ms`)), ms) })])
  clearTimeout(timer)
}

/** A function that runs the garbage collector. */
export function collector (): () => void {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

export function resourceCounts (): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1
  return counts
}

/** The resource counts once they stop changing (sockets of earlier tests may still be closing). */
export async function steady (): Promise<Record<string, number>> {
  let previous = ''
  for (let i = 0; i < 50; i++) {
    const counts = JSON.stringify(resourceCounts())
    if (counts === previous) break
    previous = counts
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return JSON.parse(previous)
}

/** Each kind of resource that is over its count in `baseline`, waiting up to `ms` for it to close. */
export async function leftOver (baseline: Record<string, number>, ms: number): Promise<Record<string, number>> {
  const deadline = Date.now() + ms
  for (;;) {
    const over: Record<string, number> = {}
    for (const [name, count] of Object.entries(resourceCounts())) {
      if (count > (baseline[name] ?? 0)) over[name] = count - (baseline[name] ?? 0)
    }
    if (Object.keys(over).length === 0 || Date.now() > deadline) return over
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
