/**
 * @module cli/main
 * `maas <command>`: dispatches to one file per command. Returns the exit code.
 */
import { MaasError } from '../core/errors.ts'
import { runServe } from './serve-command.ts'

const USAGE = `usage: maas <command> [options]

commands:
  serve     start the inference server (KServe v2 REST, TF Serving REST, metrics)
  bench     closed-loop load sweep against a running server (REST, REST binary, gRPC)
  train     train a Keras-style model (JSON spec or preset) on a dataset and export it to ONNX
  models    manage models on a server: list, show, push, alias, rm
  keys      manage API keys on a server: create, list, show, revoke, rotate, generate
  usage     usage per API key, model, version and day from a server

run 'maas <command> --help' for the options of a command`

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'serve':
        return await runServe(rest)
      case 'bench':
        return await (await import('./bench-command.ts')).runBench(rest)
      case 'train':
        return await (await import('./train-command.ts')).runTrain(rest)
      case 'models':
        return await (await import('./models-command.ts')).runModels(rest)
      case 'keys':
        return await (await import('./keys-command.ts')).runKeys(rest)
      case 'usage':
        return await (await import('./usage-command.ts')).runUsage(rest)
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        console.log(USAGE)
        return command === undefined ? 1 : 0
      default:
        console.error(`maas: unknown command '${command}'\n\n${USAGE}`)
        return 2
    }
  } catch (error) {
    if (error instanceof MaasError || String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_')) {
      console.error(`maas ${command}: ${(error as Error).message}`)
      return 2
    }
    throw error
  }
}
