/**
 * A tiny client-side encoder/decoder of Triton's binary tensor data extension, written from
 * the spec independently of the server's codec (what tritonclient does on the wire).
 */

export interface BinaryInput {
  name: string
  datatype: string
  shape: number[]
  bytes: Uint8Array
}

/** Builds body + headers: JSON header, then each input's bytes in order. */
export function encodeBinaryRequest(inputs: BinaryInput[], extra: Record<string, unknown> = {}): { body: Buffer; headers: Record<string, string> } {
  const header = Buffer.from(
    JSON.stringify({
      ...extra,
      inputs: inputs.map((input) => ({ name: input.name, datatype: input.datatype, shape: input.shape, parameters: { binary_data_size: input.bytes.length } })),
    }),
  )
  return {
    body: Buffer.concat([header, ...inputs.map((input) => Buffer.from(input.bytes))]),
    headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(header.length) },
  }
}

/** Splits a binary response into its JSON header and each binary output's bytes, by name. */
export function decodeBinaryResponse(body: Buffer, headerLength: number): { json: any; binary: Map<string, Buffer> } {
  const json = JSON.parse(body.subarray(0, headerLength).toString('utf8'))
  const binary = new Map<string, Buffer>()
  let offset = headerLength
  for (const output of json.outputs) {
    const size = output.parameters?.binary_data_size
    if (size === undefined) continue
    binary.set(output.name, body.subarray(offset, offset + size))
    offset += size
  }
  if (offset !== body.length) throw new Error(`binary response has ${body.length - offset} trailing bytes`)
  return { json, binary }
}

/** Length-prefixed BYTES elements, as the extension specifies. */
export function encodeBytesElements(elements: Uint8Array[]): Uint8Array {
  const parts: Buffer[] = []
  for (const element of elements) {
    const length = Buffer.alloc(4)
    length.writeUInt32LE(element.length)
    parts.push(length, Buffer.from(element))
  }
  return new Uint8Array(Buffer.concat(parts))
}
