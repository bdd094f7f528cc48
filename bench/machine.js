'use strict'

// What else the machine is doing: the CPU time of every user-space process that is not part of the benchmark,
// so that a round disturbed by, say, a test run in another terminal can be seen and run again. Linux only
// (/proc); elsewhere it measures nothing and every round counts. And pinning processes to CPUs with taskset.

const fs = require('node:fs')
const { execFileSync } = require('node:child_process')

const TICKS_PER_SECOND = 100 // USER_HZ, 100 on every Linux Node runs on

/** CPU ticks (own and reaped children's) of every user-space process except `ours`; null without /proc. */
function snapshot (ours) {
  let names
  try {
    names = fs.readdirSync('/proc')
  } catch {
    return null
  }
  const ticks = new Map()
  for (const name of names) {
    if (name.charCodeAt(0) > 57 || ours.has(Number(name))) continue
    let text
    try {
      text = fs.readFileSync(`/proc/${name}/stat`, 'utf8')
    } catch {
      continue // gone meanwhile
    }
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    // fields[1] is the parent: kernel threads are children of kthreadd (2)
    if (name === '2' || fields[1] === '2') continue
    ticks.set(name, Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]))
  }
  return { at: process.hrtime.bigint(), ticks }
}

/** The CPU other processes used between two snapshots, in cores (0.25: a quarter of one core on average). */
function foreignCores (before, after) {
  if (before === null || after === null) return 0
  let ticks = 0
  for (const [pid, value] of after.ticks) ticks += value - (before.ticks.get(pid) ?? 0)
  // A process that exited was reaped: its whole time moved into its parent's, counted above. Only the part
  // after the first snapshot is new.
  for (const [pid, value] of before.ticks) if (!after.ticks.has(pid)) ticks -= value
  const seconds = Number(after.at - before.at) / 1e9
  return seconds > 0 ? ticks / TICKS_PER_SECOND / seconds : 0
}

/** True when taskset is there to pin processes to CPUs. */
function canPin () {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Pin a running process and all its threads to the given CPUs; false when that failed. */
function pin (pid, cpus) {
  try {
    execFileSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

module.exports = { snapshot, foreignCores, pin, canPin }

if (require.main === module) {
  // node bench/machine.js: what other processes use, second by second
  let last = snapshot(new Set([process.pid]))
  setInterval(() => {
    const now = snapshot(new Set([process.pid]))
    console.log(`${foreignCores(last, now).toFixed(2)} cores used by other processes`)
    last = now
  }, 1000)
}
