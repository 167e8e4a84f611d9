/**
 * @module bench/cnn-report
 * Prints the `cnn` suite: the instance plans maas chose, the throughput points with the
 * server's own view of each window (executions, realised batch sizes, queue and compute
 * time), the two throughput ratios against their targets, and the overhead at concurrency 1.
 */
import { cnnOptionsFromEnv, runCnnSuite, type CnnPoint, type CnnSuiteResult } from './cnn-suite.ts'
import type { ReportFormat } from './report.ts'

/** Batched server ≥ 0.9× ORT in-process at its best batch size. */
export const IN_PROCESS_TARGET = 0.9
/** Batched server ≥ 3× the same server with batching off. */
export const UNBATCHED_TARGET = 3
/** Server overhead (end-to-end − queue − compute) p50 ≤ 0.25 ms. */
export const OVERHEAD_TARGET_MS = 0.25

export function formatCnnReport(result: CnnSuiteResult, format: ReportFormat): string {
  const { points } = result
  const sections: string[] = []
  sections.push(
    `model: ${result.options.model}; instances chosen by maas (batch-1 warm-up → plan): ` +
      result.plans.map((plan) => `${plan.model} ${plan.warmupMs} ms → ${plan.thread}×${plan.count}`).join('; '),
  )
  const throughput = points.filter((point) => point.concurrency !== 1 || point.kind === 'ort')
  sections.push(
    formatTable(
      ['target', 'samples/s', 'p50 ms', 'p99 ms', 'requests', 'errors', 'execs', 'avg batch', 'top batch sizes', 'queue µs/req', 'compute µs/exec', 'client CPU µs/req', 'maas CPU µs/req', 'cores busy'],
      throughput.map((point) => [
        point.target,
        point.samplesPerSecond.toFixed(0),
        point.p50.toFixed(3),
        point.p99.toFixed(3),
        String(point.requests),
        point.errors === 0 ? '0' : `${point.errors} !!!`,
        point.stats ? String(point.stats.executions) : '—',
        point.stats ? point.stats.avgBatch.toFixed(2) : String(point.batch),
        point.stats?.topBatches || '—',
        point.stats ? point.stats.queueUs.toFixed(0) : '—',
        point.stats ? point.stats.computePerExecutionUs.toFixed(0) : '—',
        point.clientCpuUs.toFixed(0),
        point.kind === 'server' ? point.serverCpuUs.toFixed(0) : '—',
        point.coresBusy.toFixed(2),
      ]),
      format,
    ),
  )
  sections.push(formatRatios(result, format))
  sections.push(formatOverhead(points, format))
  const failed = points.filter((point) => point.errors > 0)
  if (failed.length > 0) {
    sections.push(
      ['!!!!!!!! BENCHMARK HAD ERRORS — results are not valid !!!!!!!!', ...failed.map((point) => `  ${point.target}: ${point.errors} errors, first: ${point.firstError}`)].join('\n'),
    )
  }
  return sections.join('\n\n')
}

/** True when any window had a failed request. */
export function hasCnnErrors(result: CnnSuiteResult): boolean {
  return result.points.some((point) => point.errors > 0)
}

function formatRatios(result: CnnSuiteResult, format: ReportFormat): string {
  const ort = result.points.filter((point) => point.kind === 'ort')
  const best = ort.reduce<CnnPoint | undefined>((top, point) => (top === undefined || point.samplesPerSecond > top.samplesPerSecond ? point : top), undefined)
  // CPU per sample does not depend on how much of the shared machine a window got.
  const leanestOrtUs = Math.min(...ort.map((point) => point.clientCpuUs / point.batch))
  const find = (target: string) => result.points.find((point) => point.target === target)
  const concurrency = result.options.concurrency
  const verdict = (ratio: number, target: number) => (Number.isNaN(ratio) ? 'n/a' : `${ratio.toFixed(2)}× ${ratio >= target ? 'met' : 'MISSED'}`)
  const rows: string[][] = []
  for (const protocol of ['REST', 'gRPC']) {
    for (const variant of result.variants.filter((candidate) => candidate.batching)) {
      const batched = find(`${protocol} ${variant.name} @c=${concurrency}`)
      if (!batched) continue
      const unbatchedName = result.variants.find((candidate) => !candidate.batching && candidate.instances === variant.instances)?.name
      const unbatched = unbatchedName ? find(`${protocol} ${unbatchedName} @c=${concurrency}`) : undefined
      rows.push([
        `${protocol} ${variant.name}`,
        `${variant.instances}, delay ${variant.delayMicros} µs`,
        batched.samplesPerSecond.toFixed(0),
        verdict(best ? batched.samplesPerSecond / best.samplesPerSecond : Number.NaN, IN_PROCESS_TARGET),
        unbatched ? `${verdict(batched.samplesPerSecond / unbatched.samplesPerSecond, UNBATCHED_TARGET)} (${unbatched.samplesPerSecond.toFixed(0)})` : 'n/a',
        `${(leanestOrtUs / batched.serverCpuUs).toFixed(2)}×`,
        unbatched ? `${(unbatched.serverCpuUs / batched.serverCpuUs).toFixed(2)}×` : 'n/a',
      ])
    }
  }
  const header = [
    `batched model @c=${concurrency}`,
    'instances, delay',
    'samples/s',
    `÷ best ORT in-process (${best ? `${best.samplesPerSecond.toFixed(0)} at b=${best.batch}` : 'n/a'}) ≥ ${IN_PROCESS_TARGET}×`,
    `÷ unbatched, same instances (its samples/s) ≥ ${UNBATCHED_TARGET}×`,
    `CPU: leanest ORT in-process µs/sample (${leanestOrtUs.toFixed(0)}) ÷ maas µs/req`,
    'CPU: unbatched maas µs/req ÷ batched',
  ]
  return formatTable(header, rows, format)
}

/**
 * The statistics give only means per window, so the per-request overhead is estimated as the
 * client's p50 (or mean) minus the mean queue + compute time of the same requests; at
 * concurrency 1 queue and compute vary little, so that is close to the overhead's own p50.
 */
function formatOverhead(points: readonly CnnPoint[], format: ReportFormat): string {
  const ortBatch1 = points.find((point) => point.kind === 'ort' && point.batch === 1)
  const echo = points.find((point) => point.kind === 'echo')
  const rows = points
    .filter((point) => point.concurrency === 1 && point.kind !== 'ort')
    .map((point) => {
      const stats = point.stats
      const serverMs = stats ? (stats.queueUs + stats.computePerRequestUs) / 1000 : Number.NaN
      const overheadP50 = point.p50 - serverMs
      const isCnn = point.target.includes('cnn')
      return [
        point.target,
        point.p50.toFixed(3),
        point.mean.toFixed(3),
        point.p99.toFixed(3),
        stats ? stats.successUs.toFixed(0) : '—',
        stats ? stats.queueUs.toFixed(0) : '—',
        stats ? stats.computePerRequestUs.toFixed(0) : '—',
        stats ? `${overheadP50.toFixed(3)} ${overheadP50 <= OVERHEAD_TARGET_MS ? 'met' : 'MISSED'}` : '—',
        stats ? (point.mean - serverMs).toFixed(3) : '—',
        stats ? (point.mean - stats.successUs / 1000).toFixed(3) : '—',
        isCnn && ortBatch1 ? (point.p50 - ortBatch1.p50).toFixed(3) : '—',
        echo && point !== echo ? (point.p50 - echo.p50).toFixed(3) : '—',
      ]
    })
  const header = [
    'c=1 target',
    'p50 ms',
    'mean ms',
    'p99 ms',
    'in data plane µs',
    'queue µs',
    'compute µs',
    `overhead p50 ms (p50 − queue − compute) ≤ ${OVERHEAD_TARGET_MS}`,
    'overhead mean ms',
    'outside data plane ms (mean − data plane)',
    `p50 − ORT in-process b=1 p50 (${ortBatch1 ? ortBatch1.p50.toFixed(3) : 'n/a'})`,
    `p50 − echo p50`,
  ]
  return formatTable(header, rows, format)
}

function formatTable(header: readonly string[], rows: readonly (readonly string[])[], format: ReportFormat): string {
  const numeric = header.map((_, column) => rows.length > 0 && rows.every((row) => /^(-?[\d.]|—$)/.test(row[column] ?? '')))
  if (format === 'markdown') {
    const rule = numeric.map((isNumeric) => (isNumeric ? '---:' : '---'))
    return [header, rule, ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n')
  }
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)))
  const line = (row: readonly string[]): string =>
    row.map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ')
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')
}

/**
 * Runs the suite with the environment's options and returns its report, for run.ts. A window
 * with failed requests makes the process exit 1 (run.ts sets its own exit code last, for the
 * ratio suites, hence the `exit` hook).
 */
export async function runCnnReport(format: ReportFormat): Promise<string> {
  const result = await runCnnSuite(cnnOptionsFromEnv(), (point, round) =>
    console.error(
      `  [round ${round + 1}] ${point.target}: ${point.samplesPerSecond.toFixed(0)} samples/s, p50 ${point.p50.toFixed(3)} ms` +
        (point.stats ? `, avg batch ${point.stats.avgBatch.toFixed(2)}` : '') +
        (point.errors ? `, ${point.errors} ERRORS` : ''),
    ),
  )
  if (hasCnnErrors(result)) process.once('exit', () => (process.exitCode = 1))
  return formatCnnReport(result, format)
}
