import type { Quantization } from "../io/types.ts";

/** The quantization choices, in the order `--quantize` lists them. */
export const QUANTIZATIONS: readonly Quantization[] = ["none", "float16", "uint16", "uint8"];
