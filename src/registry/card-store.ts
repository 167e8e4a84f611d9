/**
 * @module registry/card-store
 * The model card seam: one markdown document per model (intended use, data, metrics,
 * limitations). Deleted with its model.
 */

export interface ModelCard {
  readonly model: string
  readonly markdown: string
  readonly updatedBy: string | null
  readonly updatedAt: Date
}

export interface CardStore {
  /** Null when the model has no card; ModelNotFoundError when the model is absent. */
  get(model: string): Promise<ModelCard | null>
  /** Creates or replaces the card. */
  put(model: string, markdown: string, options?: { readonly updatedBy?: string | null }): Promise<ModelCard>
  delete(model: string): Promise<void>
}
