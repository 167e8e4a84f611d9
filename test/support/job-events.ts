/**
 * Test helpers for training jobs: follow a job's Server-Sent Events with a time limit,
 * and ask a served digit classifier about mnist-small's test digits.
 */
import { loadNamedDataset } from '../../src/training/datasets/named-datasets.ts'
import { normalize } from '../../src/training/datasets/transforms.ts'

export interface SseEvent {
  readonly event: string
  readonly data: any
}

/**
 * Reads `url`'s event stream until `until` says stop (or the stream ends), within `ms`;
 * returns every event seen. Rejects on timeout, naming the events seen so far.
 */
export async function collectEvents(url: string, until: (event: SseEvent) => boolean, ms: number): Promise<SseEvent[]> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), ms)
  const events: SseEvent[] = []
  try {
    const response = await fetch(url, { signal: controller.signal })
    if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`)
    const decoder = new TextDecoder()
    let buffer = ''
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true })
      let end: number
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const frame = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const event = /^event: (.*)$/m.exec(frame)?.[1]
        const data = /^data: (.*)$/m.exec(frame)?.[1]
        if (event === undefined || data === undefined) continue
        events.push({ event, data: JSON.parse(data) })
        if (until(events.at(-1)!)) return events
      }
    }
    return events
  } catch (error) {
    if (controller.signal.aborted) throw new Error(`timed out after ${ms} ms on ${url}; events: ${events.map((event) => event.event).join(', ')}`)
    throw error
  } finally {
    clearTimeout(timer)
    controller.abort()
  }
}

/** Polls `check` every 100 ms until it returns a value other than undefined, within `ms`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** How many of the first `count` test digits of mnist-small the served `model` classifies right. */
export async function classifyTestDigits(baseUrl: string, model: string, count: number): Promise<{ correct: number; count: number }> {
  const test = normalize((await loadNamedDataset('mnist-small')).test, { scale: 1 / 255 })
  const data = Array.from(test.x.subarray(0, count * 784))
  const response = await fetch(`${baseUrl}/v2/models/${model}/infer`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [count, 28, 28], data }] }),
  })
  const body = (await response.json()) as { outputs?: { data: number[] }[]; error?: string }
  if (response.status !== 200 || !body.outputs) throw new Error(`infer answered ${response.status}: ${body.error}`)
  const scores = body.outputs[0]!.data
  let correct = 0
  for (let row = 0; row < count; row++) {
    const slice = scores.slice(row * 10, row * 10 + 10)
    if (slice.indexOf(Math.max(...slice)) === test.y[row]) correct++
  }
  return { correct, count }
}
