/**
 * @module cli/bench-command
 * `maas bench MODEL`: a closed-loop concurrency sweep against a running server (our
 * perf_analyzer). Parses the flags, runs the sweep, prints or writes the report. Returns
 * 0, 1 when requests failed (unless --allow-errors), 2 when it could not start.
 */
import { writeFileSync } from 'node:fs'
import { BENCH_USAGE, parseBenchOptions } from './bench/bench-options.ts'
import { formatCsv, formatJson, formatTable } from './bench/bench-report.ts'
import { createBenchDriver, runBenchSweep } from './bench/bench-runner.ts'
import { BenchSetupError, BenchUsageError } from './bench/bench-setup-error.ts'

/** Where the command writes; the CLI uses the process's streams, tests collect the text. */
export interface BenchIo {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
}

const PROCESS_IO: BenchIo = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
}

export async function runBench(argv: readonly string[], io: BenchIo = PROCESS_IO): Promise<number> {
  let options
  try {
    options = parseBenchOptions(argv)
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error
    io.stderr(`maas bench: ${error.message}\n\n${BENCH_USAGE}`)
    return 2
  }
  if (!options) {
    io.stdout(BENCH_USAGE)
    return 0
  }
  let report
  try {
    const driver = createBenchDriver(options)
    try {
      report = await runBenchSweep(driver, options, io.stderr)
    } finally {
      driver.close()
    }
  } catch (error) {
    if (!(error instanceof BenchSetupError)) throw error
    io.stderr(`maas bench: ${error.message}`)
    return 2
  }
  const text = options.format === 'json' ? formatJson(report) : options.format === 'csv' ? formatCsv(report) : formatTable(report)
  if (options.output) {
    writeFileSync(options.output, `${text}\n`)
    io.stderr(`maas bench: report written to ${options.output}`)
  } else {
    io.stdout(text)
  }
  const errors = report.results.reduce((total, result) => total + result.errors, 0)
  if (errors === 0 || options.allowErrors) return 0
  io.stderr(`maas bench: ${errors} requests failed (exit 1; --allow-errors to accept)`)
  return 1
}
