import { basename, dirname, join } from "node:path";

const encoder = new TextEncoder();

/**
 * Writes one file through a temporary file beside it and a rename, so that a reader sees either
 * the old file or the complete new one, never half of it. Missing parent folders are created.
 *
 * @param path The file to write (replaced when it exists).
 * @param data The bytes, or text written as UTF-8.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { writeFileAtomically } from "./atomic_write.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomically(`${dir}/run/config.json`, "{}\n");
 * equal(await Deno.readTextFile(`${dir}/run/config.json`), "{}\n");
 * equal([...Deno.readDirSync(`${dir}/run`)].length, 1); // no temporary file left
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomically(path: string, data: Uint8Array | string): Promise<void> {
  await makeParents(path);
  const tmp = await Deno.makeTempFile({ dir: dirname(path), prefix: `.${basename(path)}.tmp-` });
  try {
    await Deno.chmod(tmp, 0o644); // makeTempFile gives 0600; run files are read by others
    await Deno.writeFile(tmp, typeof data === "string" ? encoder.encode(data) : data);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

/**
 * Writes `files` into a new temporary folder beside `dir`, then renames it to `dir`, so that a
 * reader sees either the old folder or the complete new one, never half of it. An existing `dir`
 * is moved aside first and removed once the new folder is in place. On failure the temporary
 * folder (and any parent folder this call created) is removed and `dir` is left as it was.
 *
 * @param dir The folder to write.
 * @param files Plain file names (no `/`, not starting with `.`) and their bytes.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { writeFolderAtomically } from "./atomic_write.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await writeFolderAtomically(`${dir}/model`, { "a.txt": new Uint8Array([1]) });
 * await writeFolderAtomically(`${dir}/model`, { "b.txt": new Uint8Array([2]) });
 * deepEqual([...Deno.readDirSync(`${dir}/model`)].map((e) => e.name), ["b.txt"]);
 * deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["model"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFolderAtomically(
  dir: string,
  files: Record<string, Uint8Array>,
): Promise<void> {
  const created = await makeParents(dir);
  const tmp = await Deno.makeTempDir({ dir: dirname(dir), prefix: `.${basename(dir)}.tmp-` });
  try {
    await Deno.chmod(tmp, 0o755); // makeTempDir gives 0700; a model folder is served to others
    for (const [name, bytes] of Object.entries(files)) {
      if (name.includes("/") || name.includes("\\") || name.startsWith(".")) {
        throw new TypeError(`Cannot write ${name} into ${dir}: expected a plain file name`);
      }
      await Deno.writeFile(join(tmp, name), bytes);
    }
    await replaceFolder(tmp, dir);
  } catch (error) {
    await Deno.remove(created ?? tmp, { recursive: true }).catch(() => {});
    throw error;
  }
}

/**
 * Creates the missing parent folders of `path` and returns the topmost one it created (`null` when
 * they all existed), so that a failed write can remove exactly what it made.
 *
 * @param path A file or folder about to be written.
 * @returns The topmost folder created, or `null`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { makeParents } from "./atomic_write.ts";
 *
 * const dir = await Deno.makeTempDir();
 * equal(await makeParents(`${dir}/a/b/model`), `${dir}/a`);
 * equal(await makeParents(`${dir}/a/b/model`), null);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function makeParents(path: string): Promise<string | null> {
  let top: string | null = null;
  for (let dir = dirname(path);; dir = dirname(dir)) {
    const exists = await Deno.stat(dir).then(() => true, () => false);
    if (exists) break;
    top = dir;
    if (dirname(dir) === dir) break;
  }
  if (top !== null) await Deno.mkdir(dirname(path), { recursive: true });
  return top;
}

/**
 * Renames the finished folder `tmp` to `dir` (same file system), replacing an existing `dir`: the
 * old folder is moved aside, the new one renamed in, then the old one removed. This is the one
 * rename behind every atomic folder write: write into `tmp` beside `dir`, then call this.
 *
 * @param tmp The complete new folder, beside `dir`.
 * @param dir Where it belongs.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { replaceFolder } from "./atomic_write.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/.out.tmp`);
 * await Deno.writeTextFile(`${dir}/.out.tmp/a.txt`, "new");
 * await replaceFolder(`${dir}/.out.tmp`, `${dir}/out`);
 * equal(await Deno.readTextFile(`${dir}/out/a.txt`), "new");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function replaceFolder(tmp: string, dir: string): Promise<void> {
  let old: string | null = null;
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) {
      throw new Deno.errors.AlreadyExists(`Cannot write the model folder ${dir}: it is a file`);
    }
    old = `${tmp}.old`;
    await Deno.rename(dir, old);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  try {
    await Deno.rename(tmp, dir);
  } catch (error) {
    if (old !== null) await Deno.rename(old, dir).catch(() => {});
    throw error;
  }
  if (old !== null) await Deno.remove(old, { recursive: true });
}
