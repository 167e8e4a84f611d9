/**
 * @module training/keras
 * The public model-building and training API in one import: layers, the sequential and
 * functional APIs, compile / fit / evaluate / predict, ONNX export, and the datasets.
 */
export * from '../nn/layer-factories.ts'
export { add, average, concatenate, input, maximum, minimum, multiply, subtract } from '../nn/functional.ts'
export { modelFromSpec } from '../nn/model-spec.ts'
export { seedCnn, seedMlp, SEED_CNN_SPEC, SEED_MLP_SPEC } from '../nn/presets.ts'
export { KerasModel, functionalModel, sequential } from './keras-model.ts'
export { loadNamedDataset } from './datasets/named-datasets.ts'
export { loadCsvDataset, parseCsvDataset } from './datasets/csv-dataset.ts'
export { normalize, shuffle, splitDataset } from './datasets/transforms.ts'
export type { Dataset } from './datasets/dataset.ts'
export type { EpochLogs, FitOptions, History } from './trainer/trainer.ts'
