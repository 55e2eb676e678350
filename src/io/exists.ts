/**
 * Whether `path` exists (any error but NotFound is rethrown).
 *
 * @param path A file or folder.
 * @returns `true` when something is there.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { exists } from "./exists.ts";
 * equal(await exists("/no/such/path"), false);
 * equal(await exists(Deno.cwd()), true);
 * ```
 */
export async function exists(path: string | URL): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
