/**
 * @module training/compile/learning-rate-schedules
 * Learning-rate schedules, computed in TypeScript per step and fed to the training graph as
 * a scalar (or one value per inner step of a multi-step call). Keras semantics.
 */
import { InvalidArgumentError } from '../../core/errors.ts'

export type LearningRateSchedule =
  | { readonly name: 'constant' }
  /** lr * factor^floor(step / stepSize) */
  | { readonly name: 'step'; readonly stepSize: number; readonly factor: number }
  /** lr * rate^(step / decaySteps), floored to whole periods when staircase */
  | { readonly name: 'exponential'; readonly decaySteps: number; readonly decayRate: number; readonly staircase?: boolean }
  /** Keras CosineDecay: lr * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decaySteps) / decaySteps)) + alpha) */
  | { readonly name: 'cosine'; readonly decaySteps: number; readonly alpha?: number }

/** The learning rate of step `step` (0-based, counted over the whole run). */
export function learningRateAt(schedule: LearningRateSchedule, initial: number, step: number): number {
  switch (schedule.name) {
    case 'constant':
      return initial
    case 'step':
      return initial * schedule.factor ** Math.floor(step / schedule.stepSize)
    case 'exponential': {
      const exponent = step / schedule.decaySteps
      return initial * schedule.decayRate ** (schedule.staircase ? Math.floor(exponent) : exponent)
    }
    case 'cosine': {
      const alpha = schedule.alpha ?? 0
      const progress = Math.min(step, schedule.decaySteps) / schedule.decaySteps
      return initial * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * progress)) + alpha)
    }
  }
}

export function parseLearningRateSchedule(value: unknown): LearningRateSchedule {
  if (value === undefined) return { name: 'constant' }
  if (typeof value !== 'object' || value === null) throw new InvalidArgumentError('learning-rate schedule must be an object with a name')
  const schedule = value as Record<string, unknown>
  const positive = (key: string) => {
    const number = schedule[key]
    if (typeof number !== 'number' || !(number > 0)) throw new InvalidArgumentError(`learning-rate schedule ${String(schedule.name)}: '${key}' must be a positive number`)
    return number
  }
  switch (schedule.name) {
    case 'constant':
      return { name: 'constant' }
    case 'step':
      return { name: 'step', stepSize: positive('stepSize'), factor: positive('factor') }
    case 'exponential':
      return { name: 'exponential', decaySteps: positive('decaySteps'), decayRate: positive('decayRate'), staircase: schedule.staircase === true }
    case 'cosine': {
      const alpha = schedule.alpha ?? 0
      if (typeof alpha !== 'number' || alpha < 0 || alpha > 1) throw new InvalidArgumentError("learning-rate schedule cosine: 'alpha' must be between 0 and 1")
      return { name: 'cosine', decaySteps: positive('decaySteps'), alpha }
    }
    default:
      throw new InvalidArgumentError(`learning-rate schedule '${String(schedule.name)}' is not known; use constant, step, exponential or cosine`)
  }
}
