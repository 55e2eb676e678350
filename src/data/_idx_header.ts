/**
 * The header of an IDX file (the MNIST format): a big-endian 32-bit magic number `0x0000TTDD`
 * (TT = 0x08 for unsigned bytes, DD = the number of dimensions), then one big-endian 32-bit size
 * per dimension.
 *
 * @module
 */

/** Magic number of an IDX images file: unsigned bytes, 3 dimensions (n, rows, columns). */
export const IDX_IMAGES_MAGIC = 2051;
/** Magic number of an IDX labels file: unsigned bytes, 1 dimension (n). */
export const IDX_LABELS_MAGIC = 2049;

const KINDS: Record<number, string> = {
  [IDX_IMAGES_MAGIC]: "images",
  [IDX_LABELS_MAGIC]: "labels",
};

/**
 * Reads the magic number and the sizes of an IDX file whose magic must be `magic`, and checks that
 * the file holds exactly the bytes the header announces. Returns the sizes (dimension 0 first).
 */
export function readIdxHeader(
  bytes: Uint8Array,
  name: string,
  magic: number,
): number[] {
  const what = KINDS[magic];
  const dims = magic & 0xff;
  const headerBytes = 4 + 4 * dims;
  if (bytes.length < headerBytes) {
    throw new SyntaxError(
      `Cannot parse ${name}: expected a ${headerBytes}-byte IDX ${what} header, found a file of ` +
        `${bytes.length} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = view.getUint32(0, false);
  if (found !== magic) {
    const kind = KINDS[found] === undefined ? "" : ` (${KINDS[found]})`;
    throw new SyntaxError(
      `Cannot parse ${name} at byte 0: expected IDX magic ${magic} (${what}), found ${found}${kind}`,
    );
  }
  const sizes = Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const expected = headerBytes + sizes.reduce((a, b) => a * b, 1);
  if (bytes.length !== expected) {
    const how = bytes.length < expected
      ? `the file is truncated at byte ${bytes.length}`
      : `${bytes.length - expected} extra bytes follow byte ${expected}`;
    throw new SyntaxError(
      `Cannot parse ${name}: the header says ${sizes.join("×")}, expected ${expected} bytes, ` +
        `found ${bytes.length} (${how})`,
    );
  }
  return sizes;
}
