/**
 * @module registry/model-store
 * The models seam of the registry: a named model with its descriptive metadata. Versions,
 * aliases, lineage and cards hang off the model name.
 */

/** Who may see a model: its owner, every authenticated caller, or anyone. */
export type Visibility = 'private' | 'internal' | 'public'

export const VISIBILITIES: readonly Visibility[] = Object.freeze(['private', 'internal', 'public'])

/** A registered model. */
export interface ModelRecord {
  readonly name: string
  readonly description: string
  /** What the model does, e.g. 'image-classification'; free text. */
  readonly task: string | null
  /** Key/value metadata, e.g. { team: 'vision' }; filterable. */
  readonly labels: Readonly<Record<string, string>>
  readonly owner: string | null
  readonly visibility: Visibility
  /** How the model is served: Triton's config.json as an object (max_batch_size, dynamic_batching, …); null for defaults. */
  readonly servingConfig: Readonly<Record<string, unknown>> | null
  readonly createdAt: Date
  readonly updatedAt: Date
}

export interface NewModel {
  readonly name: string
  readonly description?: string
  readonly task?: string | null
  readonly labels?: Readonly<Record<string, string>>
  readonly owner?: string | null
  /** Defaults to 'private'. */
  readonly visibility?: Visibility
  readonly servingConfig?: Readonly<Record<string, unknown>> | null
}

/** Fields to change; absent ones keep their value. */
export interface ModelPatch {
  readonly description?: string
  readonly task?: string | null
  readonly labels?: Readonly<Record<string, string>>
  readonly owner?: string | null
  readonly visibility?: Visibility
  readonly servingConfig?: Readonly<Record<string, unknown>> | null
}

export interface ModelFilter {
  readonly owner?: string
  readonly visibility?: Visibility
  readonly task?: string
  /** Every pair must match. */
  readonly labels?: Readonly<Record<string, string>>
  /** Names sorting after this one (cursor for paging). */
  readonly after?: string
  readonly limit?: number
}

/** Models in the registry, ordered by name. */
export interface ModelStore {
  /** ALREADY_EXISTS when the name is taken. */
  create(model: NewModel): Promise<ModelRecord>
  /** ModelNotFoundError when absent. */
  get(name: string): Promise<ModelRecord>
  list(filter?: ModelFilter): Promise<ModelRecord[]>
  update(name: string, patch: ModelPatch): Promise<ModelRecord>
  /**
   * Deletes the model with its versions, lineage and card. FAILED_PRECONDITION while any
   * alias of the model exists: delete the aliases first, on purpose.
   */
  delete(name: string): Promise<void>
}
