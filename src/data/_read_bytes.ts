/**
 * Reading a data file whole, gunzipping it when it starts with the gzip magic bytes 1f 8b
 * (whatever its name says).
 *
 * @module
 */

/** Largest buffer allocated up front from the gzip trailer's size hint; beyond it, buffers grow. */
const MAX_HINT_BYTES = 256 * 1024 * 1024;

/** Whether `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Gunzips `bytes` (read from `name`, which only appears in messages) into one buffer. The gzip
 * trailer's ISIZE (uncompressed size mod 2^32) sizes the buffer so that 76 MB of CSV is not
 * collected as a list of chunks and then copied.
 */
export async function gunzip(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hint = bytes.length >= 18 ? view.getUint32(bytes.length - 4, true) : 0;
  let out = new Uint8Array(Math.min(Math.max(hint, 1024), MAX_HINT_BYTES));
  let used = 0;
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  try {
    for await (const chunk of stream) {
      if (used + chunk.length > out.length) {
        const grown = new Uint8Array(Math.max(out.length * 2, used + chunk.length));
        grown.set(out.subarray(0, used));
        out = grown;
      }
      out.set(chunk, used);
      used += chunk.length;
    }
  } catch (error) {
    throw new SyntaxError(
      `Cannot decompress ${name}: expected a complete gzip stream, found a truncated or corrupt one ` +
        `after ${used} bytes of output (${(error as Error).message})`,
    );
  }
  return used === out.length ? out : out.subarray(0, used);
}

/** Reads `path` whole, gunzipped when it is gzip. A missing file throws `Deno.errors.NotFound`. */
export async function readMaybeGzip(path: string): Promise<Uint8Array> {
  const bytes = await Deno.readFile(path);
  return isGzip(bytes) ? await gunzip(bytes, path) : bytes;
}
