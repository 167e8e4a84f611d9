/**
 * @module bench/run
 * Entry point of `npm run bench [suite…] [--markdown]`. Suites: `rest`, `grpc` (default: both)
 * and `training`, `cnn`, `rss`, `bounds`, `optimizer` (only when named: minutes each; knobs in their suite files).
 * Environment: BENCH_SECONDS (measured seconds per point, default 4), BENCH_WARMUP (default
 * 1), BENCH_ROUNDS (repeat the matrix, report the median round, default 1),
 * BENCH_CONCURRENCY (default "1,16,64"), BENCH_ONLY (comma-separated parts of target names,
 * e.g. "maas binary"), BENCH_CPU_PROF=<dir> (profile the server children).
 * Exits 1 when any request failed.
 */
import os from 'node:os'
import { createRequire } from 'node:module'
import { formatErrors, formatPoints, formatRatios, type ReportFormat } from './report.ts'
import { REST_RATIOS, runRestSuite, type SuiteOptions } from './rest-suite.ts'
import { GRPC_RATIOS, runGrpcSuite } from './grpc-suite.ts'
import { formatTrainingReport } from './training-report.ts'
import { runTrainingSuite, trainingOptionsFromEnv } from './training-suite.ts'
import { runCnnReport } from './cnn-report.ts'
import { runRssReport } from './rss-suite.ts'
import { runBoundsReport } from './bounds-report.ts'
import { runOptimizerReport } from './optimizer-suite.ts'

const SUITES = { rest: { run: runRestSuite, ratios: REST_RATIOS }, grpc: { run: runGrpcSuite, ratios: GRPC_RATIOS } } as const
/** Suites with their own report, run only when named. */
const REPORT_SUITES = {
  training: async (reportFormat: ReportFormat) => formatTrainingReport(await runTrainingSuite(trainingOptionsFromEnv()), reportFormat),
  cnn: runCnnReport, // scheduling targets on the seed CNN; knobs in cnn-suite.ts
  rss: async () => runRssReport(), // memory after repeated load/unload; knobs in rss-suite.ts
  optimizer: runOptimizerReport, // the seed MLP's optimizer update in ORT and PyTorch, op for op
  // How far the transport targets can be reached here; knobs: the common ones.
  bounds: async (reportFormat: ReportFormat) => {
    const { text, failed: hadErrors } = await runBoundsReport(options, reportFormat)
    if (hadErrors) failed = true
    return text
  },
} as const
type SuiteName = keyof typeof SUITES
type ReportSuiteName = keyof typeof REPORT_SUITES

const args = process.argv.slice(2)
const format: ReportFormat = args.includes('--markdown') ? 'markdown' : 'text'
const named = args.filter((arg) => !arg.startsWith('--'))
const known = [...Object.keys(SUITES), ...Object.keys(REPORT_SUITES)]
for (const name of named) if (!known.includes(name)) throw new Error(`unknown suite '${name}'; suites: ${known.join(', ')}`)
const suites = (named.length > 0 ? named.filter((name) => name in SUITES) : Object.keys(SUITES)) as SuiteName[]
const reportSuites = named.filter((name) => name in REPORT_SUITES) as ReportSuiteName[]

const options: SuiteOptions = {
  concurrencies: (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number),
  warmupSeconds: Number(process.env.BENCH_WARMUP ?? 1),
  seconds: Number(process.env.BENCH_SECONDS ?? 4),
  rounds: Number(process.env.BENCH_ROUNDS ?? 1),
  only: process.env.BENCH_ONLY?.split(',').filter(Boolean),
  onPoint: (point, round) =>
    console.error(`  [round ${round + 1}] c=${point.concurrency} ${point.target}: ${point.throughput.toFixed(0)} req/s, p50 ${point.p50.toFixed(3)} ms, p99 ${point.p99.toFixed(3)} ms${point.errors ? `, ${point.errors} ERRORS` : ''}`),
}

const ortVersion = (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version
console.log(
  `node ${process.version}, onnxruntime-node ${ortVersion}, ${os.cpus().length}× ${os.cpus()[0]?.model ?? 'cpu'}, ` +
    `load average ${os.loadavg().map((load) => load.toFixed(2)).join(' ')}; ` +
    (suites.length > 0 || reportSuites.includes('bounds') ? `${options.warmupSeconds} s warm-up + ${options.seconds} s per point, ${options.rounds} round(s)` : ''),
)

let failed = false
for (const name of suites) {
  const suite = SUITES[name]
  console.error(`suite ${name}…`)
  const points = await suite.run(options)
  console.log(`\n${format === 'markdown' ? `#### ${name}` : `== ${name} ==`}\n`)
  console.log(formatPoints(points, format))
  console.log('')
  console.log(formatRatios(points, suite.ratios, format))
  const errors = formatErrors(points)
  if (errors) {
    console.log(`\n${errors}`)
    failed = true
  }
}
for (const name of reportSuites) {
  console.error(`suite ${name}…`)
  const report = await REPORT_SUITES[name](format)
  console.log(`\n${format === 'markdown' ? `#### ${name}` : `== ${name} ==`}\n`)
  console.log(report)
}
process.exitCode = failed ? 1 : 0
