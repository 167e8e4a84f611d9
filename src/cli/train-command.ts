/**
 * @module cli/train-command
 * `maas train --model SPEC.json|seed-mlp|seed-cnn --dataset NAME|PATH [--epochs 5]
 * [--batch-size 32] [--optimizer adam] [--out DIR] [--json]`: trains in a worker thread with
 * a progress bar per epoch (or one JSON object per epoch with --json), evaluates on the test
 * split and writes the exported ONNX model, its spec and the history to --out. A TF.js
 * model.json with weight shards starts from those weights (fine-tuning a Keras model).
 * `--remote URL [--api-key KEY]` runs it as a job on a server instead (cli/train-remote).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfig } from '../config/config.ts'
import { InvalidArgumentError } from '../core/errors.ts'
import { modelFromSpec } from '../nn/model-spec.ts'
import type { Model } from '../nn/model.ts'
import { seedCnn, seedMlp } from '../nn/presets.ts'
import { loadTfjsLayersModel } from '../nn/tfjs-layers-model.ts'
import type { DatasetSplit } from '../training/datasets/dataset.ts'
import { loadCsvDataset, splitCsvLine } from '../training/datasets/csv-dataset.ts'
import { DATASET_NAMES, loadNamedDataset, type DatasetName } from '../training/datasets/named-datasets.ts'
import { normalize, splitDataset } from '../training/datasets/transforms.ts'
import { KerasModel } from '../training/keras-model.ts'
import type { EpochLogs, ProgressLogs } from '../training/trainer/trainer.ts'

const HELP = `usage: maas train --model SPEC.json|seed-mlp|seed-cnn --dataset NAME|PATH [options]

  --model SPEC              a Keras-like JSON spec file, or a preset: seed-mlp, seed-cnn;
                            a TF.js model.json with weight shards is trained from its weights
  --dataset NAME|PATH       ${DATASET_NAMES.join(', ')}; a folder with MNIST-format IDX files;
                            or a CSV file (numeric columns; see --label-column)
  --epochs N                epochs (5)
  --batch-size N            batch size (32)
  --optimizer NAME          sgd, adam, adamw, rmsprop (adam)
  --learning-rate X         learning rate (the optimizer's default)
  --loss NAME               loss (sparse_categorical_crossentropy)
  --validation-split X      hold out this fraction of the training data for validation
  --label-column NAME|N     CSV: the label column (last column)
  --test-split X            CSV: fraction held out as the test set (0.2)
  --seed N                  shuffling seed (1)
  --steps-per-call N        training steps per ORT call (64)
  --out DIR                 write model.onnx, model.json (spec), history.json there
  --data-dir DIR            where named datasets are looked for and cached (MAAS_DATA_DIR/datasets)
  --json                    one JSON object per epoch and a final one, instead of progress bars
  --remote URL              train as a job on the maas server at URL (named datasets only); the
                            result is registered there (exit 0 prints model@version)
  --name NAME               --remote: registry model to register into (default: the preset or file name)
  --alias NAME              --remote: point this alias (e.g. production) at the new version
  --api-key KEY             --remote: sent as Authorization: Bearer (MAAS_API_KEY); a server
                            with API keys on (the default) needs an admin or publisher key
  -h, --help

Named image datasets are scaled to [0, 1] (pixels / 255).`

export async function runTrain(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      model: { type: 'string' },
      dataset: { type: 'string' },
      epochs: { type: 'string', default: '5' },
      'batch-size': { type: 'string', default: '32' },
      optimizer: { type: 'string', default: 'adam' },
      'learning-rate': { type: 'string' },
      loss: { type: 'string', default: 'sparse_categorical_crossentropy' },
      'validation-split': { type: 'string' },
      'label-column': { type: 'string' },
      'test-split': { type: 'string', default: '0.2' },
      seed: { type: 'string', default: '1' },
      'steps-per-call': { type: 'string', default: '64' },
      out: { type: 'string' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      remote: { type: 'string' },
      name: { type: 'string' },
      alias: { type: 'string' },
      'api-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  })
  if (values.help) {
    console.log(HELP)
    return 0
  }
  if (!values.model) throw new InvalidArgumentError('--model is required (a spec file, seed-mlp or seed-cnn)')
  if (!values.dataset) throw new InvalidArgumentError('--dataset is required')
  const epochs = positiveInteger(values.epochs, '--epochs')
  const batchSize = positiveInteger(values['batch-size'], '--batch-size')
  const seed = positiveInteger(values.seed, '--seed')
  const stepsPerCall = positiveInteger(values['steps-per-call'], '--steps-per-call')
  if (values.remote !== undefined) {
    const learningRate = values['learning-rate'] === undefined ? undefined : fraction(values['learning-rate'], '--learning-rate', Infinity)
    const validationSplit = values['validation-split'] === undefined ? undefined : fraction(values['validation-split'], '--validation-split', 1)
    const isPreset = values.model === 'seed-mlp' || values.model === 'seed-cnn'
    const job = {
      model: values.name ?? (isPreset ? values.model : path.basename(values.model, path.extname(values.model))),
      ...(isPreset ? { preset: values.model } : { spec: (await loadModel(values.model, { weights: false })).toSpec() }),
      dataset: values.dataset,
      compile: { optimizer: { name: values.optimizer, ...(learningRate !== undefined ? { learningRate } : {}) }, loss: values.loss, metrics: ['accuracy'] },
      fit: { epochs, batchSize, seed, stepsPerCall, ...(validationSplit !== undefined ? { validationSplit } : {}) },
      ...(values.alias !== undefined ? { alias: values.alias } : {}),
    }
    const { runRemoteTrain } = await import('./train-remote.ts')
    const apiKey = values['api-key'] ?? process.env.MAAS_API_KEY
    return runRemoteTrain(values.remote, job, { json: values.json, ...(apiKey ? { apiKey } : {}), ...(values.json ? {} : { reporter: new ProgressBar(process.stderr) }) })
  }
  const config = loadConfig({ flags: { dataDir: values['data-dir'] } })
  const model = new KerasModel(await loadModel(values.model, { weights: true }))
  const learningRate = values['learning-rate'] === undefined ? undefined : fraction(values['learning-rate'], '--learning-rate', Infinity)
  model.compile({ optimizer: { name: values.optimizer, ...(learningRate !== undefined ? { learningRate } : {}) }, loss: values.loss, metrics: ['accuracy'] })
  const { train, test } = await loadData(values.dataset, {
    dataDir: path.join(config.dataDir, 'datasets'),
    labelColumn: values['label-column'],
    testSplit: fraction(values['test-split'], '--test-split', 1),
    seed,
  })
  const json = values.json
  const reporter = json ? undefined : new ProgressBar(process.stderr)
  const history = await model.fit(train, undefined, {
    epochs,
    batchSize,
    seed,
    stepsPerCall,
    ...(values['validation-split'] !== undefined ? { validationSplit: fraction(values['validation-split'], '--validation-split', 1) } : {}),
    callbacks: {
      onProgress: (logs) => reporter?.progress(logs, epochs),
      onEpochEnd: (logs) => (json ? console.log(JSON.stringify(epochJson(logs))) : reporter!.epoch(logs, epochs)),
    },
  })
  const evaluation = await model.evaluate(test)
  const samplesPerSecond = history.epochs.reduce((sum, logs) => sum + logs.samplesPerSecond, 0) / history.epochs.length
  const summary = {
    test_loss: evaluation.loss,
    test_accuracy: evaluation.metrics.accuracy,
    samples_per_second: samplesPerSecond,
    epochs: history.epochs.length,
    batch_size: batchSize,
    train_samples: train.count,
    test_samples: test.count,
    ...(values.out ? { out: path.resolve(values.out) } : {}),
  }
  if (values.out) await writeOutputs(values.out, model, history, train.labels)
  if (json) console.log(JSON.stringify(summary))
  else console.log(`test loss ${evaluation.loss.toFixed(4)}, test accuracy ${(evaluation.metrics.accuracy ?? 0).toFixed(4)}, ${Math.round(samplesPerSecond)} samples/s${values.out ? `; model written to ${summary.out}` : ''}`)
  return 0
}

/** A preset, or the model of a spec file; a TF.js model.json's weight shards are loaded too when `weights`. */
async function loadModel(value: string, options: { readonly weights: boolean }): Promise<Model> {
  if (value === 'seed-mlp') return seedMlp()
  if (value === 'seed-cnn') return seedCnn()
  let text: string
  try {
    text = await readFile(value, 'utf8')
  } catch (error) {
    throw new InvalidArgumentError(`--model: cannot read ${value}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  if (hasWeightsManifest(text)) {
    if (options.weights) return loadTfjsLayersModel(value)
    process.stderr.write(`note: the remote job trains the topology of ${value} from new weights; its TF.js weight shards are not sent\n`)
  }
  return modelFromSpec(text)
}

/** Whether the text is a TF.js model.json that lists weights (invalid JSON is left to modelFromSpec to report). */
function hasWeightsManifest(text: string): boolean {
  try {
    const manifest = (JSON.parse(text) as { weightsManifest?: unknown } | null)?.weightsManifest
    return Array.isArray(manifest) && manifest.some((group) => Array.isArray(group?.weights) && group.weights.length > 0)
  } catch {
    return false
  }
}

async function loadData(value: string, options: { dataDir: string; labelColumn?: string; testSplit: number; seed: number }): Promise<DatasetSplit> {
  if ((DATASET_NAMES as readonly string[]).includes(value)) {
    const split = await loadNamedDataset(value as DatasetName, { dataDir: options.dataDir })
    return { train: normalize(split.train, { scale: 1 / 255 }), test: normalize(split.test, { scale: 1 / 255 }) }
  }
  if (value.toLowerCase().endsWith('.csv')) {
    const labelColumn = options.labelColumn === undefined ? await lastColumnIndex(value) : /^\d+$/.test(options.labelColumn) ? Number(options.labelColumn) : options.labelColumn
    const dataset = await loadCsvDataset(value, { labelColumn, header: 'auto' })
    const { train, validation } = splitDataset(dataset, { validationFraction: options.testSplit, seed: options.seed })
    return { train, test: validation }
  }
  const split = await loadNamedDataset('mnist', { systemDirs: [value], download: false }).catch((error: Error) => {
    throw new InvalidArgumentError(`--dataset ${value}: not a known dataset name (${DATASET_NAMES.join(', ')}), a .csv file, or a folder with MNIST-format IDX files: ${error.message}`)
  })
  return { train: normalize(split.train, { scale: 1 / 255 }), test: normalize(split.test, { scale: 1 / 255 }) }
}

/** The index of a CSV file's last column, read from its first line. */
async function lastColumnIndex(file: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new InvalidArgumentError(`--dataset: cannot read ${file}: ${error.code ?? error.message}`)
  })
  return splitCsvLine(text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n')).replace(/\r$/, '')).length - 1
}

/** model.onnx (checked for parity), model.json and history.json, each written atomically. */
async function writeOutputs(directory: string, model: KerasModel, history: { epochs: readonly EpochLogs[] }, labels: readonly string[] | undefined): Promise<void> {
  await mkdir(directory, { recursive: true })
  const files: [string, Uint8Array | string][] = [
    ['model.onnx', await model.toOnnx({ ...(labels ? { labels } : {}), metadata: { producer: 'maas train' } })],
    ['model.json', `${JSON.stringify(model.model.toSpec(), null, 2)}\n`],
    ['history.json', `${JSON.stringify(history.epochs.map(epochJson), null, 2)}\n`],
  ]
  for (const [name, content] of files) {
    const file = path.join(directory, name)
    await writeFile(`${file}.tmp`, content)
    await rename(`${file}.tmp`, file)
  }
}

function epochJson(logs: EpochLogs) {
  return {
    epoch: logs.epoch,
    loss: logs.loss,
    ...logs.metrics,
    ...(logs.validation ? { val_loss: logs.validation.loss, ...Object.fromEntries(Object.entries(logs.validation.metrics).map(([name, value]) => [`val_${name}`, value])) } : {}),
    samples_per_second: logs.samplesPerSecond,
    seconds: logs.seconds,
  }
}

/** A per-epoch progress bar on stderr; redraws in place on a terminal, one line per epoch otherwise. */
class ProgressBar {
  constructor(readonly stream: NodeJS.WriteStream) {}

  progress(logs: ProgressLogs, epochs: number): void {
    if (!this.stream.isTTY) return
    const width = 30
    const filled = Math.round((logs.batchesDone / logs.batchesTotal) * width)
    this.stream.write(`\rEpoch ${logs.epoch}/${epochs} [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${logs.batchesDone}/${logs.batchesTotal} loss ${logs.loss.toFixed(4)} ${Math.round(logs.samplesPerSecond)} samples/s`)
  }

  epoch(logs: EpochLogs, epochs: number): void {
    const metrics = Object.entries(logs.metrics).map(([name, value]) => ` ${name} ${value.toFixed(4)}`).join('')
    const validation = logs.validation ? ` val_loss ${logs.validation.loss.toFixed(4)}${Object.entries(logs.validation.metrics).map(([name, value]) => ` val_${name} ${value.toFixed(4)}`).join('')}` : ''
    this.stream.write(`${this.stream.isTTY ? '\r\x1b[K' : ''}Epoch ${logs.epoch}/${epochs}: loss ${logs.loss.toFixed(4)}${metrics}${validation} ${Math.round(logs.samplesPerSecond)} samples/s ${logs.seconds.toFixed(1)} s\n`)
  }
}

function positiveInteger(value: string | undefined, flag: string): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`${flag} must be a positive integer, got '${value}'`)
  return Number(value)
}

function fraction(value: string | undefined, flag: string, max: number): number {
  const number = Number(value)
  if (value === undefined || !Number.isFinite(number) || number <= 0 || number >= max) {
    throw new InvalidArgumentError(`${flag} must be a number above 0${Number.isFinite(max) ? ` and below ${max}` : ''}, got '${value}'`)
  }
  return number
}
