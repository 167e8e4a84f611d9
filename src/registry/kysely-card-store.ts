/**
 * @module registry/kysely-card-store
 * CardStore over kysely: one markdown row per model, replaced with an upsert.
 */
import { ModelNotFoundError } from '../core/errors.ts'
import type { CardStore, ModelCard } from './card-store.ts'
import { constraintViolationOf, toDate } from './registry-columns.ts'
import type { RegistryContext } from './registry-context.ts'

export class KyselyCardStore implements CardStore {
  readonly #ctx: RegistryContext

  constructor(ctx: RegistryContext) {
    this.#ctx = ctx
  }

  async get(model: string): Promise<ModelCard | null> {
    const row = await this.#ctx.db.selectFrom('model_cards').selectAll().where('model', '=', model).executeTakeFirst()
    if (row === undefined) {
      await this.#assertModel(model)
      return null
    }
    return { model: row.model, markdown: row.markdown, updatedBy: row.updated_by, updatedAt: toDate(row.updated_at) }
  }

  async put(model: string, markdown: string, options: { readonly updatedBy?: string | null } = {}): Promise<ModelCard> {
    const card = { markdown, updated_by: options.updatedBy ?? null, updated_at: this.#ctx.now() }
    try {
      await this.#ctx.db
        .insertInto('model_cards')
        .values({ model, ...card })
        .onConflict((oc) => oc.column('model').doUpdateSet(card))
        .execute()
    } catch (error) {
      if (constraintViolationOf(error) === 'foreign-key') throw new ModelNotFoundError(model)
      throw error
    }
    return { model, markdown, updatedBy: card.updated_by, updatedAt: new Date(card.updated_at) }
  }

  async delete(model: string): Promise<void> {
    await this.#assertModel(model)
    await this.#ctx.db.deleteFrom('model_cards').where('model', '=', model).execute()
  }

  async #assertModel(model: string): Promise<void> {
    const found = await this.#ctx.db.selectFrom('models').select('name').where('name', '=', model).executeTakeFirst()
    if (found === undefined) throw new ModelNotFoundError(model)
  }
}
