/**
 * @module runtime/model-source
 * Where the ModelManager finds models: a Triton-layout folder (ModelRepository) or, with the
 * registry, the registered versions and their artifacts. The manager only needs names,
 * version numbers, a config and a local file per version.
 */
import type { ModelConfig } from './model-config.ts'

/** A model as a source describes it. */
export interface SourceModel {
  readonly name: string
  /** Version numbers available to load, highest first. */
  readonly versions: readonly number[]
  readonly config: ModelConfig
  /** Set when the model's configuration could not be used; the model then fails to load with it. */
  readonly configError?: string
  /** Folder of per-model files (warm-up samples), where the source has one. */
  readonly directory: string
}

export interface ModelSource {
  /** Names of the models the source holds, sorted. */
  list(): Promise<string[]>
  /** One model, or undefined when the source has none by that name. */
  read(name: string): Promise<SourceModel | undefined>
  /** A local path of the version's ONNX file, for the engine to load. */
  modelPath(model: SourceModel, version: number): string
}
