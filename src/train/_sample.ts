/** Side of an MNIST digit, in pixels. */
const SIDE = 28;

/**
 * Bilinear sample, scaled to 0-1, of the 28×28 byte image that starts at `offset` in `images`, at
 * (x, y) in its pixels; 0 outside it.
 */
export function sampleDigit(images: Uint8Array, offset: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const tx = x - x0;
  const ty = y - y0;
  const at = (xx: number, yy: number) =>
    xx < 0 || yy < 0 || xx >= SIDE || yy >= SIDE ? 0 : images[offset + yy * SIDE + xx];
  const top = at(x0, y0) * (1 - tx) + at(x0 + 1, y0) * tx;
  const bottom = at(x0, y0 + 1) * (1 - tx) + at(x0 + 1, y0 + 1) * tx;
  return (top * (1 - ty) + bottom * ty) / 255;
}
