/**
 * @module bench/training-suite
 * The `training` suite: the seed recipes (MLP, small CNN) on Fashion-MNIST, trained by the
 * maas Trainer (onnxruntime-node, one intra-op thread, default stepsPerCall), with two
 * baselines from the same run: @tensorflow/tfjs on its wasm backend in this process, and
 * PyTorch (bench/pytorch/train_fashion_mnist.py, one thread, OpenBLAS) as a child process
 * run afterwards. Reports samples/s over the training epochs, test accuracy after them,
 * achieved GFLOP/s (≈ 6 × forward MACs per sample) against ORT's own single-thread rate on
 * a 1024³ MatMul measured first, and the Loop's effect (stepsPerCall 1, 64 and the default) on the MLP.
 *
 * Environment: BENCH_EPOCHS (5), BENCH_SAMPLES (training samples, 0 = all 60,000),
 * BENCH_CNN_EPOCHS / BENCH_CNN_SAMPLES (the CNN's, default: the same), BENCH_BATCHES
 * ("32,128"), BENCH_MODELS ("mlp,cnn"), BENCH_LOOP_EPOCHS (1; 0 skips the stepsPerCall
 * comparison), BENCH_TFJS_EPOCHS (TF.js wasm's epochs on the MLP, default BENCH_EPOCHS: it is
 * ~10× slower), BENCH_MLP_PAIRS (0: when > 0, that many more maas and PyTorch runs of the seed
 * MLP at batch 32 in turn, for the median ratio of the 2× target), BENCH_TFJS_CPU_CNN_SAMPLES (0: when > 0, TF.js 'cpu' trains the CNN for one
 * epoch on this many samples, scored on 1,000 test images, as wasm cannot; very slow), BENCH_PYTHON (python3 with torch; default
 * /usr/bin/python3; "" skips PyTorch), BENCH_PYTORCH_MKLDNN ("both": the CNN once with
 * oneDNN convolutions, PyTorch's default, and once through im2col + OpenBLAS; "on"; "off").
 */
import { seedCnn, seedMlp, type Model } from '../src/nn/index.ts'
import type { Dataset } from '../src/training/datasets/dataset.ts'
import { loadNamedDataset } from '../src/training/datasets/named-datasets.ts'
import { normalize, sliceRows } from '../src/training/datasets/transforms.ts'
import { parseCompileOptions } from '../src/training/trainer/compiled-model.ts'
import { Trainer } from '../src/training/trainer/trainer.ts'
import { defaultStepsPerCall } from '../src/training/trainer/step-chunks.ts'
import { measureOrtGemm, trainingFlopsPerSample } from './training-flops.ts'
import { runPytorch, type PytorchEnv, type PytorchResult } from './training-pytorch.ts'
import { tfjsUnsupported, trainTfjs, type RecipeName } from './training-tfjs.ts'

export interface TrainingSuiteOptions {
  readonly epochs: number
  readonly samples: number
  readonly cnnEpochs: number
  readonly cnnSamples: number
  readonly batches: readonly number[]
  readonly models: readonly RecipeName[]
  readonly loopEpochs: number
  readonly tfjsEpochs: number
  readonly tfjsCpuCnnSamples: number
  readonly python: string
  readonly pytorchMkldnn: 'on' | 'off' | 'both'
  /** Also run PyTorch's MLP with subnormals flushed to zero (maas flushes them in ORT). */
  readonly pytorchFlushDenormal: boolean
  /** Train maas' seed MLP (batch 32) with this many seeds (1..N) for the test-accuracy spread; 0: off. */
  readonly accuracySeeds: number
  /** Alternate this many more runs of maas' and PyTorch's seed MLP at batch 32 (the 2× target; odd pairs maas first, even pairs PyTorch first) and report their ratios; 0: off. */
  readonly mlpPairs: number
}

/** Reads the suite's knobs from the environment (the only place it does). */
export function trainingOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): TrainingSuiteOptions {
  const number = (name: string, fallback: number) => (env[name] === undefined || env[name] === '' ? fallback : Number(env[name]))
  const epochs = number('BENCH_EPOCHS', 5)
  const samples = number('BENCH_SAMPLES', 0)
  const mkldnn = env.BENCH_PYTORCH_MKLDNN ?? 'both'
  if (mkldnn !== 'on' && mkldnn !== 'off' && mkldnn !== 'both') throw new Error(`BENCH_PYTORCH_MKLDNN must be on, off or both, not '${mkldnn}'`)
  const models = (env.BENCH_MODELS ?? 'mlp,cnn').split(',').filter(Boolean)
  for (const model of models) if (model !== 'mlp' && model !== 'cnn') throw new Error(`BENCH_MODELS: unknown recipe '${model}' (mlp, cnn)`)
  return {
    epochs,
    samples,
    cnnEpochs: number('BENCH_CNN_EPOCHS', epochs),
    cnnSamples: number('BENCH_CNN_SAMPLES', samples),
    batches: (env.BENCH_BATCHES ?? '32,128').split(',').map(Number),
    models: models as RecipeName[],
    loopEpochs: number('BENCH_LOOP_EPOCHS', 1),
    tfjsEpochs: number('BENCH_TFJS_EPOCHS', epochs),
    tfjsCpuCnnSamples: number('BENCH_TFJS_CPU_CNN_SAMPLES', 0),
    python: env.BENCH_PYTHON ?? '/usr/bin/python3',
    pytorchMkldnn: mkldnn,
    pytorchFlushDenormal: env.BENCH_PYTORCH_FLUSH_DENORMAL !== '0',
    accuracySeeds: number('BENCH_ACCURACY_SEEDS', 3),
    mlpPairs: number('BENCH_MLP_PAIRS', 0),
  }
}

/** One measured (or unmeasurable) cell. */
export interface TrainingRow {
  readonly recipe: RecipeName
  readonly batch: number
  readonly framework: string
  readonly epochs: number
  readonly samples: number
  readonly samplesPerSecond?: number
  /** Samples per second of the trainer's CPU time (process CPU time; one thread each): less disturbed by other load. */
  readonly cpuSamplesPerSecond?: number
  readonly gflops?: number
  readonly testAccuracy?: number
  /** Why there is no number. */
  readonly unavailable?: string
}

export interface TrainingReport {
  readonly options: TrainingSuiteOptions
  readonly ortGemmGflops: number
  readonly flopsPerSample: Readonly<Record<RecipeName, number>>
  readonly rows: readonly TrainingRow[]
  readonly loop: readonly { readonly stepsPerCall: number; readonly samplesPerSecond: number; readonly epochs: number; readonly samples: number }[]
  /** maas' seed MLP at batch 32, one run per seed (model initialisation and shuffling). */
  readonly seeds: readonly { readonly seed: number; readonly testAccuracy: number; readonly samplesPerSecond: number; readonly epochs: number; readonly samples: number }[]
  /** maas then PyTorch, seed MLP at batch 32, one pair after the other (BENCH_MLP_PAIRS). */
  readonly pairs: readonly { readonly maas: number; readonly pytorch: number }[]
  readonly pytorch?: PytorchEnv
  readonly pytorchError?: string
}

export const MAAS = 'maas (ORT)'
export const TFJS_WASM = 'TF.js wasm'
export const TFJS_CPU = 'TF.js cpu, subset'
export const PYTORCH = 'PyTorch'
export const PYTORCH_BLAS_CONV = 'PyTorch, conv via OpenBLAS'
export const PYTORCH_FLUSH = 'PyTorch, subnormals flushed'

const RECIPES: Readonly<Record<RecipeName, () => Model>> = { mlp: seedMlp, cnn: seedCnn }
const COMPILE = { optimizer: { name: 'adam', learningRate: 1e-3 }, loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] }

export async function runTrainingSuite(options: TrainingSuiteOptions, log: (line: string) => void = (line) => console.error(line)): Promise<TrainingReport> {
  const split = await loadNamedDataset('fashion-mnist', { download: false })
  const fullTrain = normalize(split.train, { scale: 1 / 255 })
  const test = normalize(split.test, { scale: 1 / 255 })
  const subset = (count: number): Dataset => (count > 0 && count < fullTrain.count ? sliceRows(fullTrain, 0, count) : fullTrain)
  const plan = (recipe: RecipeName) => (recipe === 'cnn' ? { epochs: options.cnnEpochs, train: subset(options.cnnSamples) } : { epochs: options.epochs, train: subset(options.samples) })

  const ortGemmGflops = await measureOrtGemm()
  log(`ORT 1024³ MatMul, 1 thread: ${ortGemmGflops.toFixed(1)} GFLOP/s`)
  const flopsPerSample = { mlp: trainingFlopsPerSample(seedMlp()), cnn: trainingFlopsPerSample(seedCnn()) }
  const rows: TrainingRow[] = []
  const measured = (recipe: RecipeName, batch: number, framework: string, epochs: number, samples: number, samplesPerSecond: number, testAccuracy: number, cpuSamplesPerSecond?: number): TrainingRow => {
    const row = { recipe, batch, framework, epochs, samples, samplesPerSecond, cpuSamplesPerSecond, testAccuracy, gflops: (samplesPerSecond * flopsPerSample[recipe]) / 1e9 }
    const cpuRate = cpuSamplesPerSecond === undefined ? '' : ` (${cpuSamplesPerSecond.toFixed(0)} per CPU-second)`
    log(`  ${recipe} b=${batch} ${framework}: ${samplesPerSecond.toFixed(0)} samples/s${cpuRate}, test accuracy ${testAccuracy.toFixed(4)} (${epochs} epochs × ${samples})`)
    return row
  }

  for (const recipe of options.models) {
    const { epochs, train } = plan(recipe)
    for (const batch of options.batches) {
      const model = RECIPES[recipe]()
      const trainer = new Trainer(model, parseCompileOptions(COMPILE))
      const twinStart = RECIPES[recipe]()
      const history = await trainer.fit(train, { epochs, batchSize: batch, intraOpThreads: 1 })
      const seconds = history.epochs.reduce((sum, logs) => sum + logs.seconds, 0)
      const cpuSeconds = history.epochs.reduce((sum, logs) => sum + (logs.cpuSeconds ?? Number.NaN), 0)
      const accuracy = (await trainer.evaluate(test)).metrics.accuracy!
      rows.push(measured(recipe, batch, MAAS, epochs, train.count, (train.count * epochs) / seconds, accuracy, (train.count * epochs) / cpuSeconds))

      const unsupported = tfjsUnsupported(recipe, 'wasm')
      if (unsupported) rows.push({ recipe, batch, framework: TFJS_WASM, epochs, samples: train.count, unavailable: unsupported })
      else {
        const result = await trainTfjs(recipe, twinStart, 'wasm', train, test, { epochs: options.tfjsEpochs, batchSize: batch })
        rows.push(measured(recipe, batch, TFJS_WASM, options.tfjsEpochs, train.count, result.samplesPerSecond, result.testAccuracy, result.cpuSamplesPerSecond))
      }
      if (recipe === 'cnn' && options.tfjsCpuCnnSamples > 0) {
        // Pure-JS convolutions: train on a small subset and score on the first 1,000 test images.
        const small = subset(options.tfjsCpuCnnSamples)
        const result = await trainTfjs(recipe, twinStart, 'cpu', small, sliceRows(test, 0, 1000), { epochs: 1, batchSize: batch })
        rows.push(measured(recipe, batch, TFJS_CPU, 1, small.count, result.samplesPerSecond, result.testAccuracy))
      }
    }
  }

  const loop: TrainingReport['loop'][number][] = []
  if (options.loopEpochs > 0 && options.models.includes('mlp')) {
    const train = subset(options.samples)
    for (const stepsPerCall of [1, 64, defaultStepsPerCall(32, train.sampleShape)]) {
      const history = await new Trainer(seedMlp(), parseCompileOptions(COMPILE)).fit(train, { epochs: options.loopEpochs, batchSize: 32, stepsPerCall, intraOpThreads: 1 })
      const seconds = history.epochs.reduce((sum, logs) => sum + logs.seconds, 0)
      loop.push({ stepsPerCall, samplesPerSecond: (train.count * options.loopEpochs) / seconds, epochs: options.loopEpochs, samples: train.count })
      log(`  mlp b=32 stepsPerCall ${stepsPerCall}: ${loop.at(-1)!.samplesPerSecond.toFixed(0)} samples/s`)
    }
  }

  const seeds: TrainingReport['seeds'][number][] = []
  if (options.accuracySeeds > 0 && options.models.includes('mlp')) {
    const { epochs, train } = plan('mlp')
    for (let seed = 1; seed <= options.accuracySeeds; seed++) {
      const trainer = new Trainer(seedMlp({ seed }), parseCompileOptions(COMPILE))
      const history = await trainer.fit(train, { epochs, batchSize: 32, seed, intraOpThreads: 1 })
      const seconds = history.epochs.reduce((sum, logs) => sum + logs.seconds, 0)
      const testAccuracy = (await trainer.evaluate(test)).metrics.accuracy!
      seeds.push({ seed, testAccuracy, samplesPerSecond: (train.count * epochs) / seconds, epochs, samples: train.count })
      log(`  mlp b=32 seed ${seed}: test accuracy ${testAccuracy.toFixed(4)}`)
    }
  }

  let pytorch: PytorchEnv | undefined
  let pytorchError: string | undefined
  if (options.python) {
    try {
      const base = { python: options.python, batches: options.batches, epochs: options.epochs, samples: options.samples, cnnEpochs: options.cnnEpochs, cnnSamples: options.cnnSamples }
      const fromPytorch = (result: PytorchResult, framework: string) =>
        measured(result.model, result.batch, framework, result.epochs, result.samples, result.samples_per_second, result.test_accuracy, result.cpu_samples_per_second)
      const onLine = (line: string) => log(`  [pytorch] ${line}`)
      if (options.pytorchMkldnn !== 'off') {
        const run = await runPytorch({ ...base, models: options.models, mkldnn: true }, onLine)
        pytorch = run.env
        for (const result of run.results) rows.push(fromPytorch(result, result.model === 'cnn' && options.pytorchMkldnn === 'both' ? `${PYTORCH}, conv via oneDNN` : PYTORCH))
      }
      const blasModels = options.pytorchMkldnn === 'off' ? options.models : options.pytorchMkldnn === 'both' ? options.models.filter((model) => model === 'cnn') : []
      if (blasModels.length > 0) {
        const run = await runPytorch({ ...base, models: blasModels, mkldnn: false }, onLine)
        pytorch ??= run.env
        for (const result of run.results) rows.push(fromPytorch(result, result.model === 'cnn' ? PYTORCH_BLAS_CONV : PYTORCH))
      }
      if (options.pytorchFlushDenormal && options.models.includes('mlp')) {
        const run = await runPytorch({ ...base, models: ['mlp'], mkldnn: true, flushDenormal: true }, onLine)
        for (const result of run.results) rows.push(fromPytorch(result, PYTORCH_FLUSH))
      }
    } catch (error) {
      pytorchError = (error as Error).message
      log(`  PyTorch baseline unavailable: ${pytorchError}`)
    }
  }

  // The shared machine's speed drifts between runs by more than the target's margin: pairs
  // taken one after the other, each maas run next to a PyTorch run, give a median ratio.
  const pairs: TrainingReport['pairs'][number][] = []
  if (options.mlpPairs > 0 && options.python && !pytorchError && options.models.includes('mlp')) {
    const { epochs, train } = plan('mlp')
    const runMaas = async () => {
      const history = await new Trainer(seedMlp(), parseCompileOptions(COMPILE)).fit(train, { epochs, batchSize: 32, intraOpThreads: 1 })
      return (train.count * epochs) / history.epochs.reduce((sum, logs) => sum + logs.seconds, 0)
    }
    const runTorch = async () => {
      const run = await runPytorch({ python: options.python, models: ['mlp'], batches: [32], epochs, samples: options.samples, cnnEpochs: epochs, cnnSamples: options.samples, mkldnn: true })
      return run.results[0]!.samples_per_second
    }
    try {
      for (let pair = 1; pair <= options.mlpPairs; pair++) {
        // Odd pairs run maas first, even pairs PyTorch first.
        let maas: number
        let pytorch: number
        if (pair % 2 === 1) {
          maas = await runMaas()
          pytorch = await runTorch()
        } else {
          pytorch = await runTorch()
          maas = await runMaas()
        }
        pairs.push({ maas, pytorch })
        log(`  mlp b=32 pair ${pair}: maas ${maas.toFixed(0)}, PyTorch ${pytorch.toFixed(0)} samples/s, ${(maas / pytorch).toFixed(2)}×`)
      }
    } catch (error) {
      pytorchError = `alternating pairs stopped after ${pairs.length}: ${(error as Error).message}`
      log(`  ${pytorchError}`)
    }
  }
  return { options, ortGemmGflops, flopsPerSample, rows, loop, seeds, pairs, ...(pytorch ? { pytorch } : {}), ...(pytorchError ? { pytorchError } : {}) }
}
