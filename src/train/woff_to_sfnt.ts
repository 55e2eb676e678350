import { inflateSync } from "node:zlib";

/**
 * Turns a WOFF 1.0 font (what the npm `@fontsource/*` packages ship) back into the TrueType or
 * OpenType file it wraps, so that libvips' text renderer (through fontconfig) can load it: each
 * table is inflated when stored compressed, and the sfnt header and table records are rebuilt.
 *
 * @example
 * ```ts
 * import { woffToSfnt } from "./woff_to_sfnt.ts";
 * import { throws } from "node:assert/strict";
 * throws(() => woffToSfnt(new Uint8Array(44)), SyntaxError);
 * ```
 */
export function woffToSfnt(woff: Uint8Array): Uint8Array {
  const view = new DataView(woff.buffer, woff.byteOffset, woff.byteLength);
  if (view.getUint32(0) !== 0x774f4646) {
    throw new SyntaxError(`Not a WOFF font: expected the signature "wOFF" at byte 0`);
  }
  const flavor = view.getUint32(4);
  const count = view.getUint16(12);
  const tables: Array<{ tag: number; checksum: number; data: Uint8Array }> = [];
  for (let i = 0; i < count; i++) {
    const at = 44 + 20 * i;
    const offset = view.getUint32(at + 4);
    const compLength = view.getUint32(at + 8);
    const origLength = view.getUint32(at + 12);
    const stored = woff.subarray(offset, offset + compLength);
    const data = compLength < origLength ? new Uint8Array(inflateSync(stored)) : stored;
    if (data.length !== origLength) {
      throw new SyntaxError(
        `Cannot read WOFF table ${i}: expected ${origLength} bytes, found ${data.length}`,
      );
    }
    tables.push({ tag: view.getUint32(at), checksum: view.getUint32(at + 16), data });
  }
  const pad = (n: number) => (n + 3) & ~3;
  const size = 12 + 16 * count + tables.reduce((n, t) => n + pad(t.data.length), 0);
  const out = new Uint8Array(size);
  const o = new DataView(out.buffer);
  const power = 2 ** Math.floor(Math.log2(count));
  o.setUint32(0, flavor);
  o.setUint16(4, count);
  o.setUint16(6, power * 16);
  o.setUint16(8, Math.log2(power));
  o.setUint16(10, count * 16 - power * 16);
  let at = 12 + 16 * count;
  for (const [i, t] of tables.entries()) {
    const rec = 12 + 16 * i;
    o.setUint32(rec, t.tag);
    o.setUint32(rec + 4, t.checksum);
    o.setUint32(rec + 8, at);
    o.setUint32(rec + 12, t.data.length);
    out.set(t.data, at);
    at += pad(t.data.length);
  }
  return out;
}
