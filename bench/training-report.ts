/**
 * @module bench/training-report
 * Prints the `training` suite's results: one row per (recipe, batch, framework), the ratios
 * of maas to each baseline, the targets with met/MISSED, and the Loop's effect — as plain
 * text or as markdown for docs/benchmarks.md.
 */
import { MAAS, PYTORCH, PYTORCH_BLAS_CONV, type TrainingReport, type TrainingRow } from './training-suite.ts'

export type TrainingReportFormat = 'text' | 'markdown'

const LABELS = { mlp: 'seed MLP', cnn: 'small CNN' } as const

export function formatTrainingReport(report: TrainingReport, format: TrainingReportFormat): string {
  const sections: string[] = []
  const torch = report.pytorch
  sections.push(
    [
      `ORT 1024×1024 · 1024×1024 MatMul, 1 intra-op thread: ${report.ortGemmGflops.toFixed(1)} GFLOP/s.`,
      `Training FLOPs per sample (≈ 3 × forward MACs × 2): seed MLP ${(report.flopsPerSample.mlp / 1e6).toFixed(2)} M, small CNN ${(report.flopsPerSample.cnn / 1e6).toFixed(1)} M.`,
      torch
        ? `PyTorch ${torch.torch}, ${torch.threads} thread, ${torch.blas.join(', ')}, 1024³ GEMM ${torch.gemm_1024_gflops} GFLOP/s, OpenBLAS kernels: ${torch.openblas_coretype ?? 'auto-detected'}.`
        : `PyTorch: not run${report.pytorchError ? ` (${report.pytorchError})` : ''}.`,
    ].join('\n'),
  )

  const header = ['model', 'batch', 'framework', 'epochs × samples', 'samples/s', 'per CPU-second', 'GFLOP/s', '% ORT GEMM', 'test acc']
  const rows = report.rows.map((row) => [
    LABELS[row.recipe],
    String(row.batch),
    row.framework,
    `${row.epochs} × ${row.samples}`,
    row.samplesPerSecond === undefined ? 'n/a' : row.samplesPerSecond.toFixed(0),
    row.cpuSamplesPerSecond === undefined ? 'n/a' : row.cpuSamplesPerSecond.toFixed(0),
    row.gflops === undefined ? 'n/a' : row.gflops.toFixed(2),
    row.gflops === undefined ? 'n/a' : `${((100 * row.gflops) / report.ortGemmGflops).toFixed(1)} %`,
    row.testAccuracy === undefined ? 'n/a' : row.testAccuracy.toFixed(4),
  ])
  sections.push(formatTable(header, rows, format))
  const unavailable = report.rows.filter((row) => row.unavailable)
  if (unavailable.length > 0) sections.push([...new Set(unavailable.map((row) => `${row.framework} n/a: ${row.unavailable}`))].join('\n'))

  const find = (recipe: string, batch: number, framework: string): TrainingRow | undefined =>
    report.rows.find((row) => row.recipe === recipe && row.batch === batch && row.framework.startsWith(framework) && row.samplesPerSecond !== undefined)
  const baselines = [...new Set(report.rows.map((row) => row.framework).filter((framework) => framework !== MAAS))]
  const ratioRows: string[][] = []
  for (const recipe of report.options.models) {
    for (const batch of report.options.batches) {
      const maas = find(recipe, batch, MAAS)
      ratioRows.push([
        LABELS[recipe],
        String(batch),
        ...baselines.map((framework) => {
          const other = report.rows.find((row) => row.recipe === recipe && row.batch === batch && row.framework === framework)
          if (!maas || !other?.samplesPerSecond) return 'n/a'
          const comparable = other.samples === maas.samples
          const cpu = maas.cpuSamplesPerSecond && other.cpuSamplesPerSecond ? ` (${(maas.cpuSamplesPerSecond / other.cpuSamplesPerSecond).toFixed(2)}×)` : ''
          return `${(maas.samplesPerSecond! / other.samplesPerSecond).toFixed(2)}×${cpu}${comparable ? '' : ' (other subset)'}`
        }),
      ])
    }
  }
  sections.push(formatTable(['model', 'batch', ...baselines.map((framework) => `maas / ${framework} (per CPU-second)`)], ratioRows, format))

  const targets: string[][] = []
  const ratioTarget = (label: string, recipe: 'mlp' | 'cnn', batch: number, framework: string, target: number) => {
    const maas = find(recipe, batch, MAAS)
    const other = report.rows.find((row) => row.recipe === recipe && row.batch === batch && row.framework === framework && row.samplesPerSecond !== undefined)
    if (!maas || !other) return
    const ratio = maas.samplesPerSecond! / other.samplesPerSecond!
    const cpuRatio = maas.cpuSamplesPerSecond && other.cpuSamplesPerSecond ? maas.cpuSamplesPerSecond / other.cpuSamplesPerSecond : undefined
    const cpu = cpuRatio === undefined ? '' : ` (${cpuRatio.toFixed(2)}× per CPU-second)`
    targets.push([label, `≥ ${target.toFixed(1)}×`, `${ratio.toFixed(2)}×${cpu}`, ratio >= target ? 'met' : 'MISSED'])
  }
  for (const batch of report.options.batches) {
    if (batch === 32) ratioTarget(`seed MLP b=32, maas / ${PYTORCH} (OpenBLAS)`, 'mlp', 32, PYTORCH, 2)
    const cnnTorch = report.rows.some((row) => row.framework === PYTORCH_BLAS_CONV) ? PYTORCH_BLAS_CONV : report.rows.find((row) => row.recipe === 'cnn' && row.framework.startsWith(PYTORCH))?.framework
    if (cnnTorch) ratioTarget(`small CNN b=${batch}, maas / ${cnnTorch}`, 'cnn', batch, cnnTorch, 1.5)
    const oneDnn = `${PYTORCH}, conv via oneDNN`
    if (cnnTorch === PYTORCH_BLAS_CONV) ratioTarget(`small CNN b=${batch}, maas / ${oneDnn} (PyTorch's default)`, 'cnn', batch, oneDnn, 1.5)
    const mlp = find('mlp', batch, MAAS)
    if (mlp) {
      const label = `seed MLP b=${batch} test accuracy after ${mlp.epochs} epochs × ${mlp.samples}`
      targets.push([label, '≥ 0.87', mlp.testAccuracy!.toFixed(4), mlp.epochs >= 5 && mlp.samples >= 60000 ? (mlp.testAccuracy! >= 0.87 ? 'met' : 'MISSED') : mlp.testAccuracy! >= 0.87 ? 'met (short run)' : 'n/a (short run)'])
    }
  }
  const seeds = report.seeds
  if (seeds.length > 0) {
    const mean = seeds.reduce((sum, run) => sum + run.testAccuracy, 0) / seeds.length
    const full = seeds.every((run) => run.epochs >= 5 && run.samples >= 60000)
    targets.push([
      `seed MLP b=32 mean test accuracy over seeds 1–${seeds.length}`,
      '≥ 0.87',
      `${mean.toFixed(4)} (${Math.min(...seeds.map((run) => run.testAccuracy)).toFixed(4)}–${Math.max(...seeds.map((run) => run.testAccuracy)).toFixed(4)})`,
      full ? (mean >= 0.87 ? 'met' : 'MISSED') : 'n/a (short run)',
    ])
  }
  const pairs = report.pairs
  if (pairs.length > 0) {
    const ratios = pairs.map((pair) => pair.maas / pair.pytorch).sort((a, b) => a - b)
    const middle = ratios.length >> 1
    const median = ratios.length % 2 === 1 ? ratios[middle]! : (ratios[middle - 1]! + ratios[middle]!) / 2
    targets.push([
      `seed MLP b=32, maas / ${PYTORCH}, median of ${pairs.length} alternating pairs`,
      '≥ 2.0×',
      `${median.toFixed(2)}× (${ratios[0]!.toFixed(2)}–${ratios.at(-1)!.toFixed(2)}×)`,
      median >= 2 ? 'met' : 'MISSED',
    ])
  }
  if (targets.length > 0) sections.push(formatTable(['target', 'wanted', 'measured', 'verdict'], targets, format))
  if (pairs.length < report.options.mlpPairs) sections.push(`Alternating pairs: ${pairs.length} of ${report.options.mlpPairs} ran${report.pytorchError ? ` (${report.pytorchError})` : ''}.`)
  if (pairs.length > 0) {
    sections.push(
      formatTable(
        ['seed MLP, batch 32, pair', 'maas samples/s', 'PyTorch samples/s', 'maas / PyTorch'],
        pairs.map((pair, index) => [`pair ${index + 1}`, pair.maas.toFixed(0), pair.pytorch.toFixed(0), `${(pair.maas / pair.pytorch).toFixed(2)}×`]),
        format,
      ),
    )
  }
  if (seeds.length > 0) {
    sections.push(
      formatTable(
        ['seed MLP, batch 32, maas', 'epochs × samples', 'samples/s', 'test acc'],
        seeds.map((run) => [`seed ${run.seed}`, `${run.epochs} × ${run.samples}`, run.samplesPerSecond.toFixed(0), run.testAccuracy.toFixed(4)]),
        format,
      ),
    )
  }

  if (report.loop.length > 0) {
    const base = report.loop[0]!.samplesPerSecond
    sections.push(
      formatTable(
        ['seed MLP, batch 32', 'epochs × samples', 'samples/s', 'vs stepsPerCall 1'],
        report.loop.map((point) => [`stepsPerCall ${point.stepsPerCall}`, `${point.epochs} × ${point.samples}`, point.samplesPerSecond.toFixed(0), `${(point.samplesPerSecond / base).toFixed(2)}×`]),
        format,
      ),
    )
  }
  return sections.join('\n\n')
}

function formatTable(header: readonly string[], rows: readonly (readonly string[])[], format: TrainingReportFormat): string {
  const numeric = header.map((_, column) => rows.length > 0 && rows.every((row) => /^[\d.≥n]/.test(row[column] ?? '') && !/^n\/a \(/.test(row[column] ?? '')))
  if (format === 'markdown') {
    const rule = numeric.map((isNumeric) => (isNumeric ? '---:' : '---'))
    return [header, rule, ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n')
  }
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)))
  const line = (row: readonly string[]): string => row.map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ')
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')
}
