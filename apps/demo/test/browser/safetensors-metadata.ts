/**
 * The `__metadata__` string map of a safetensors file, read straight from its
 * header (8-byte little-endian header length, then JSON), independently of
 * @kindling/checkpoint so a test checks the bytes a user downloads.
 */
export function safetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  if (bytes.length < 8) throw new Error(`safetensors: ${bytes.length} bytes, shorter than the header length`);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + headerLength > bytes.length) throw new Error(`safetensors: header of ${headerLength} bytes overruns the file`);
  const header: unknown = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  if (typeof header !== 'object' || header === null) throw new Error('safetensors: the header is not a JSON object');
  const metadata: unknown = (header as Record<string, unknown>).__metadata__ ?? {};
  if (typeof metadata !== 'object' || metadata === null) throw new Error('safetensors: __metadata__ is not an object');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') throw new Error(`safetensors: metadata "${key}" is not a string`);
    out[key] = value;
  }
  return out;
}
