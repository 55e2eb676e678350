import sharp from "sharp";
import type { DebugStep } from "./types.ts";

/**
 * Writes each debug step as `DIR/<prefix>-<step>.png` (the 28×28 input is enlarged 8× with
 * nearest-neighbour so it can be seen). Returns the paths written.
 *
 * @example
 * ```ts
 * import { writeDebugSteps } from "./write_debug_steps.ts";
 * import { equal } from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const step = { name: "1-gray", width: 2, height: 1, data: new Uint8Array([0, 255]) };
 * const paths = await writeDebugSteps([step], dir, "photo");
 * equal(paths[0], `${dir}/photo-1-gray.png`);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeDebugSteps(
  steps: DebugStep[],
  dir: string,
  prefix: string,
): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const step of steps) {
    const path = `${dir}/${prefix}-${step.name}.png`;
    const raw = { width: step.width, height: step.height, channels: 1 as const };
    let image = sharp(step.data, { raw });
    if (step.width <= 28) {
      image = image.resize(step.width * 8, step.height * 8, { kernel: "nearest" });
    }
    await image.png().toFile(path);
    paths.push(path);
  }
  return paths;
}
