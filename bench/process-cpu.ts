/**
 * @module bench/process-cpu
 * CPU time (user + system, all threads) of this process and of a child process, so a window
 * can say how the cores were split between the load generator and the server. The child's
 * comes from /proc/<pid>/stat (Linux, clock-tick resolution); elsewhere it is NaN.
 */
import { readFileSync } from 'node:fs'

export interface CpuSample {
  /** This process, µs. */
  readonly selfUs: number
  /** The child, µs (NaN when /proc is not available). */
  readonly childUs: number
}

/** Clock ticks per second of /proc/<pid>/stat; 100 on Linux unless the kernel says otherwise. */
const CLOCK_TICKS = 100

export function sampleCpu(childPid: number): CpuSample {
  const { user, system } = process.cpuUsage()
  return { selfUs: user + system, childUs: readProcCpuUs(childPid) }
}

function readProcCpuUs(pid: number): number {
  try {
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS) * 1e6
  } catch {
    return Number.NaN
  }
}
