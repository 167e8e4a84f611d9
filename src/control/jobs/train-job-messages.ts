/**
 * @module control/jobs/train-job-messages
 * The IPC protocol between the server (parent) and a training child process: one `start`
 * down, then progress, epochs, checkpoints (as file paths: the weights never cross the
 * channel) and finally `done` with the exported ONNX file, or `failed`.
 */
import type { EpochLogs, EvaluateResult, ProgressLogs } from '../../training/trainer/trainer.ts'
import type { TrainJobSpec } from './train-job-spec.ts'

/** What the child needs to run (or resume) one job. */
export interface ChildJob {
  readonly id: string
  readonly spec: TrainJobSpec
  /** `<dataDir>/datasets`. */
  readonly datasetsDir: string
  /** `<dataDir>/jobs/<id>`: checkpoints and the exported model go here. */
  readonly jobDir: string
  /** The checkpoint file to resume from, if any. */
  readonly checkpoint?: string
}

export type ParentMessage = { readonly type: 'start'; readonly job: ChildJob }

export type ChildMessage =
  | { readonly type: 'started'; readonly resumedFromEpoch: number; readonly history: readonly EpochLogs[]; readonly trainSamples: number; readonly testSamples: number }
  | { readonly type: 'progress'; readonly logs: ProgressLogs }
  | { readonly type: 'epoch'; readonly logs: EpochLogs }
  | { readonly type: 'checkpoint'; readonly epoch: number; readonly step: number; readonly path: string }
  | { readonly type: 'exporting' }
  | { readonly type: 'done'; readonly history: readonly EpochLogs[]; readonly evaluation: EvaluateResult; readonly onnxPath: string }
  | { readonly type: 'failed'; readonly code: string; readonly message: string }
