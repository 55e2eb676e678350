/**
 * The README's benchmark figures, generated from the JSON that the benches write with `--out`, so
 * that they cannot drift from a measurement. A generated block in `README.md` looks like
 *
 * ```md
 * <!-- bench:photos benchmarks/photos.json -->
 * (generated: do not edit)
 * <!-- /bench:photos -->
 * ```
 *
 * `photos` names a renderer in {@linkcode README_RENDERERS}, `benchmarks/photos.json` the file
 * (relative to the README) it renders. `deno task readme` rewrites every block;
 * `deno task readme --check` fails when one is out of date (a test runs it).
 *
 * @module
 */
import { dirname, join } from "node:path";
import { writeFileAtomically } from "../io/mod.ts";
import type { PeerScores, PhotoBenchResult, Tally } from "./photos.ts";

/** Turns one bench's `--out` JSON into the markdown of its README block. */
export type ReadmeRenderer = (result: unknown, source: string) => string;

const pct = (correct: number, total: number) => (100 * correct / Math.max(1, total)).toFixed(1);

function peerLine(name: string, scores: PeerScores): string {
  const { correct, total } = scores.all;
  const kinds = Object.entries(scores.kinds).map(([k, t]) => `${k} ${t.correct}/${t.total}`);
  return `${name.padEnd(8)} ${correct}/${total} (${pct(correct, total)} %): ${kinds.join(", ")}`;
}

/**
 * The photo benchmark's block: a fixed-width table in a `text` code block (which `deno fmt`
 * leaves as it is), per kind and overall, then the Python peer's figures from the same run.
 *
 * @param result What `deno task bench photos --out FILE` wrote.
 * @param source The JSON file's path, named in the block.
 * @returns The markdown of the block.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { renderPhotoFigures } from "./readme_figures.ts";
 * const tally = { correct: 9, refused: 1, total: 10 };
 * const text = renderPhotoFigures({
 *   bench: "photos", date: "2026-11-26T08:00:00Z", deno: "2.9.6", python: null,
 *   pythonSkipped: "no torch",
 *   ours: { model: "models/default", all: tally, kinds: { canvas_drawing: tally }, images: 10, seconds: 1 },
 * }, "benchmarks/photos.json");
 * ok(text.includes("all                                  9     10   90.0        1"), text);
 * ```
 */
export function renderPhotoFigures(result: unknown, source: string): string {
  const r = result as PhotoBenchResult;
  if (r?.bench !== "photos") {
    throw new TypeError(`Cannot render ${source} as photo figures: expected "bench": "photos"`);
  }
  const lines = [
    `$ deno task bench photos --out ${source}   # ${r.date.slice(0, 10)}, Deno ${r.deno}`,
  ];
  if (r.ours === null) lines.push("TypeScript pipeline: not measured (no model)");
  else {
    const row = (name: string, t: Tally) =>
      `${name.padEnd(32)} ${String(t.correct).padStart(5)} ${String(t.total).padStart(6)} ${
        pct(t.correct, t.total).padStart(6)
      } ${String(t.refused).padStart(8)}`;
    lines.push(
      `TypeScript pipeline, ${r.ours.model}: ${r.ours.images} photos in ${
        r.ours.seconds.toFixed(1)
      } s`,
      `${"kind".padEnd(32)} ${"right".padStart(5)} ${"total".padStart(6)} ${"%".padStart(6)} ${
        "refused".padStart(8)
      }`,
      ...Object.entries(r.ours.kinds).map(([kind, t]) => row(kind, t)),
      row("all", r.ours.all),
    );
  }
  if (r.python === null) {
    lines.push(`Python peer: not run (${r.pythonSkipped ?? "no reason given"})`);
  } else {
    lines.push("Python peer (../shared/bench/photo_pipeline.py), same run:");
    for (const [name, scores] of Object.entries(r.python)) lines.push(peerLine(name, scores));
  }
  return ["```text", ...lines, "```"].join("\n");
}

/** The renderer of each block name; a bench that writes `--out` JSON adds its own here. */
export const README_RENDERERS: Readonly<Record<string, ReadmeRenderer>> = Object.freeze({
  photos: renderPhotoFigures,
});

const BLOCK = /<!-- bench:([\w-]+) (\S+) -->\n[\s\S]*?<!-- \/bench:([\w-]+) -->/g;

/**
 * Rewrites every generated block of a README from its JSON file. The body sits between blank
 * lines, as `deno fmt` leaves markdown.
 *
 * @param readme The README's text.
 * @param readJson Reads a block's JSON file (its path as the block names it).
 * @param renderers The renderer of each block name. @default {README_RENDERERS}
 * @returns The README with every block regenerated.
 * @throws {SyntaxError} A block whose end marker names another bench, or an opening marker with no end.
 * @throws {RangeError} A block name with no renderer.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { updateReadmeBlocks } from "./readme_figures.ts";
 * const readme = "# Title\n<!-- bench:n n.json -->\nold\n<!-- /bench:n -->\nmore\n";
 * const renderers = { n: (data: unknown) => `n = ${(data as { n: number }).n}` };
 * const updated = await updateReadmeBlocks(readme, () => Promise.resolve({ n: 3 }), renderers);
 * equal(updated, "# Title\n<!-- bench:n n.json -->\n\nn = 3\n\n<!-- /bench:n -->\nmore\n");
 * ```
 */
export async function updateReadmeBlocks(
  readme: string,
  readJson: (path: string) => Promise<unknown>,
  renderers: Readonly<Record<string, ReadmeRenderer>> = README_RENDERERS,
): Promise<string> {
  const opened = [...readme.matchAll(/<!-- bench:([\w-]+) (\S+) -->/g)].length;
  const blocks = [...readme.matchAll(BLOCK)];
  if (blocks.length !== opened) {
    throw new SyntaxError(
      `Cannot update the README: ${opened} bench blocks open, ${blocks.length} are closed by ` +
        "<!-- /bench:NAME -->",
    );
  }
  let out = "";
  let at = 0;
  for (const block of blocks) {
    const [whole, name, source, closing] = block;
    if (closing !== name) {
      throw new SyntaxError(
        `Cannot update the README block bench:${name}: it ends with <!-- /bench:${closing} -->`,
      );
    }
    const render = renderers[name];
    if (render === undefined) {
      throw new RangeError(
        `Cannot update the README block bench:${name}: expected one of ${
          Object.keys(renderers).join(", ")
        }`,
      );
    }
    const body = render(await readJson(source), source);
    out += readme.slice(at, block.index) +
      `<!-- bench:${name} ${source} -->\n\n${body}\n\n<!-- /bench:${name} -->`;
    at = block.index! + whole.length;
  }
  return out + readme.slice(at);
}

/** Options of {@linkcode writeReadmeFigures}. */
export interface ReadmeFiguresOptions {
  /** The README to update. @default {"README.md"} */
  file?: string;
  /** Only check: throw when a block is out of date, write nothing. @default {false} */
  check?: boolean;
}

/**
 * `deno task readme`: regenerates the benchmark blocks of the README from the benches' JSON
 * files; with `check`, throws instead when the README is out of date.
 *
 * @param options The README and the mode.
 * @returns Whether the README changed (or, with `check`, would change).
 *
 * @example
 * ```ts ignore
 * import { writeReadmeFigures } from "./readme_figures.ts";
 * await writeReadmeFigures({ check: true });
 * ```
 */
export async function writeReadmeFigures(options: ReadmeFiguresOptions = {}): Promise<boolean> {
  const file = options.file ?? "README.md";
  const readme = await Deno.readTextFile(file);
  const readJson = async (path: string) => {
    const full = join(dirname(file), path);
    try {
      return JSON.parse(await Deno.readTextFile(full));
    } catch (error) {
      if (error instanceof SyntaxError) {
        throw new SyntaxError(`Cannot parse ${full}: ${error.message}`);
      }
      throw error;
    }
  };
  const updated = await updateReadmeBlocks(readme, readJson);
  if (updated === readme) return false;
  if (options.check) {
    throw new Error(
      `${file} is out of date with the benchmarks' JSON: run deno task readme and commit it`,
    );
  }
  await writeFileAtomically(file, updated);
  return true;
}
