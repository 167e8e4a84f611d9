/**
 * @module nn
 * The model-definition API: layers, Sequential and functional models, JSON specs, summaries,
 * weight layouts, TF.js layers-model import, and the ONNX forward graphs the trainer and the
 * exporter build on.
 */
export { ACTIVATIONS, type ActivationName } from './activations.ts'
export type { EmitContext, GraphMode } from './emit-context.ts'
export { emitForward, type EmitOptions, type ForwardGraph, type StateUpdate, type WeightBinding } from './forward-graph.ts'
export { add, average, buildTopology, concatenate, input, maximum, minimum, multiply, subtract, type InputOptions, type Topology } from './functional.ts'
export { exportInferenceModel, type ExportOptions } from './inference-export.ts'
export { computeFans, generateWeights, initializer, INITIALIZER_CLASSES, type Initializer } from './initializers.ts'
export { fromKerasLayout, toKerasLayout } from './keras-weights.ts'
export { Layer, SymbolicTensor, type LayerCall, type WeightLayout, type WeightSpec } from './layer.ts'
export * from './layer-factories.ts'
export { LAYER_CLASSES } from './layers/layer-registry.ts'
export { Model, model, sequential, type ModelOptions, type WeightValue } from './model.ts'
export { modelFromSpec, type SpecOptions } from './model-spec.ts'
export type { FunctionalSpec, LayerSpec, ModelSpec, SequentialSpec } from './model-spec-writer.ts'
export type { ModelWeight } from './model-weights.ts'
export { SEED_CNN_SPEC, SEED_MLP_SPEC, seedCnn, seedMlp } from './presets.ts'
export type { DType, Shape } from './shape.ts'
export { loadTfjsLayersModel, modelFromTfjsArtifacts, modelFromTfjsModelJson, setTfjsWeights, type TfjsModelArtifacts, type TfjsShardReader } from './tfjs-layers-model.ts'
export { decodeTfjsWeights, type TfjsWeight, type TfjsWeightBlock } from './tfjs-weights.ts'
export type { LayerSummary, ModelSummary } from './summary.ts'
