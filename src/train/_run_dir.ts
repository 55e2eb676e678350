import { join } from "node:path";
import { writeFileAtomically } from "../io/mod.ts";

function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, "").replaceAll(":", "-").replace("T", "_");
}

/**
 * Creates the run folder (`runs/<timestamp>/` when none is given). An existing folder that is not
 * empty is refused, so a run never overwrites another run's results.
 */
export async function prepareRunDir(out: string | null): Promise<string> {
  const dir = out ?? join("runs", timestamp(new Date()));
  try {
    for await (const _ of Deno.readDir(dir)) {
      throw new Deno.errors.AlreadyExists(
        `Run folder ${dir} already exists and is not empty: choose another --out`,
      );
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await Deno.mkdir(dir, { recursive: true });
  return dir;
}

/** Writes pretty JSON through a temporary file and a rename, so a reader never sees half a file. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFileAtomically(path, JSON.stringify(value, null, 2) + "\n");
}
