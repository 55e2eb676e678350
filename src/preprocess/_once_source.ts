import {
  DECODE_SIZE,
  decodeGray,
  DEFAULT_MAX_PIXELS,
  type GrayImage,
  readRasterInfo,
  type Region,
  shrinkGray,
  targetLongSide,
} from "./_decode.ts";
import type { GraySource } from "./preprocess_gray.ts";
import type { PreprocessOptions } from "./types.ts";

/**
 * A source that decodes `bytes` once per distinct working size: when two asked sizes give the
 * same pixels (an image no larger than both), the second call gets the first one's image, and a
 * size under {@linkcode DECODE_SIZE} is shrunk from that size's image (as `decodeGray` does), so
 * that every size asked for gives the pixels `decodeGray` gives. The milliseconds spent decoding
 * are added to `timing.decodeMs`. The header is read (and a file that is no image refused) here.
 */
export function onceSource(
  bytes: Uint8Array,
  options: Pick<PreprocessOptions, "maxPixels" | "allowAnimated" | "signal">,
  timing: { decodeMs: number } = { decodeMs: 0 },
): GraySource {
  const { maxPixels = DEFAULT_MAX_PIXELS, allowAnimated = false, signal } = options;
  const info = readRasterInfo(bytes);
  const whole: GrayImage[] = [];
  const source = async (workSize: number, region?: Region): Promise<GrayImage> => {
    if (region === undefined) {
      const same = whole.find((g) => {
        const long = Math.max(g.originalWidth, g.originalHeight);
        return targetLongSide(long, workSize) === Math.max(g.width, g.height);
      });
      if (same !== undefined) return same;
      if (workSize < DECODE_SIZE) {
        const large = await source(DECODE_SIZE);
        const shrunk = shrinkGray(large, workSize);
        if (shrunk !== large) whole.push(shrunk);
        return shrunk;
      }
    }
    const start = performance.now();
    try {
      const gray = await decodeGray(bytes, info, {
        maxPixels,
        workSize,
        allowAnimated,
        region,
        signal,
      });
      if (region === undefined) whole.push(gray);
      return gray;
    } finally {
      timing.decodeMs += performance.now() - start;
    }
  };
  return source;
}
