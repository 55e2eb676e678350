/**
 * The scripts' flags: `parseArgs()` (node:util), where a flag it does not know, or one without its
 * value, is told on stderr with the script's usage and ends the script with exit code 2, never as
 * an uncaught error's stack trace.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * `parseArgs(config)`, or, for flags it refuses, its message and `usage` on stderr and exit 2.
 *
 * @example
 * ```ts
 * import { parseFlags } from "./_flags.ts";
 * import { equal } from "node:assert/strict";
 * const { values } = parseFlags({ args: ["--json"], options: { json: { type: "boolean" } } }, "");
 * equal(values.json, true);
 * ```
 */
export function parseFlags<T extends ParseArgsConfig>(
  config: T,
  usage: string,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : error}\n${usage}`);
    Deno.exit(2);
  }
}
