import { basename, dirname, join } from "node:path";

/**
 * Writes `files` into a new temporary folder beside `dir`, then renames it to `dir`, so that a
 * reader sees either the old folder or the complete new one, never half of it. An existing `dir`
 * is moved aside first and removed once the new folder is in place. On failure the temporary
 * folder is removed and `dir` is left as it was.
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
 * old folder is moved aside, the new one renamed in, then the old one removed.
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
