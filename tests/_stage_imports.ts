/**
 * The import rules between stages (`src/<stage>/`), checked by `layout_imports_test.ts`:
 * no stage reaches into another stage's private `_` files, and the stages import each other
 * without a cycle.
 *
 * @module
 */
import { dirname, join, relative } from "node:path";

/** One import of one file: who imports what, both as paths relative to the repository root. */
export interface ImportEdge {
  /** The importing file, `src/train/train.ts`. */
  from: string;
  /** The imported file, `src/io/mod.ts`. */
  to: string;
}

/** The stage of a path: `src/<stage>/…` → `<stage>`, `scripts/…` → `scripts`, else the root. */
export function stageOf(path: string): string {
  const parts = path.split("/");
  if (parts[0] === "src" && parts.length > 2) return parts[1];
  return parts.length > 1 ? parts[0] : "root";
}

/** Source without comments, so that the `import` lines of doc examples are not counted. */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

/** The relative specifiers a module imports, re-exports or imports dynamically. */
export function relativeSpecifiers(source: string): string[] {
  const code = stripComments(source);
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g;
  for (const match of code.matchAll(pattern)) found.push(match[1]);
  return found;
}

/** Every `.ts` file under `dir` (relative to `root`), skipping `exclude` folders. */
async function tsFiles(root: string, dir: string, exclude: string[]): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(join(root, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory && !exclude.includes(path)) {
      files.push(...await tsFiles(root, path, exclude));
    } else if (entry.isFile && entry.name.endsWith(".ts")) files.push(path);
  }
  return files;
}

/** The import edges of the project's code: `src/`, `scripts/`, `mod.ts` and `main.ts`. */
export async function projectImports(root: string): Promise<ImportEdge[]> {
  const exclude = ["src/kernels/assembly"]; // AssemblyScript, compiled to WebAssembly
  const files = [
    ...await tsFiles(root, "src", exclude),
    ...await tsFiles(root, "scripts", exclude),
    "mod.ts",
    "main.ts",
  ];
  const edges: ImportEdge[] = [];
  for (const from of files) {
    for (const specifier of relativeSpecifiers(await Deno.readTextFile(join(root, from)))) {
      edges.push({ from, to: relative(root, join(root, dirname(from), specifier)) });
    }
  }
  return edges;
}

/** Imports of another stage's private `_` files, as `from → to` lines. */
export function foreignPrivateImports(edges: ImportEdge[]): string[] {
  return edges
    .filter(({ from, to }) =>
      to.startsWith("src/") && to.split("/").pop()!.startsWith("_") && stageOf(from) !== stageOf(to)
    )
    .map(({ from, to }) => `${from} → ${to}`);
}

/** Which stage imports which (`src/` stages only), each stage's targets sorted. */
export function stageGraph(edges: ImportEdge[]): Map<string, string[]> {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    if (!from.startsWith("src/") || !to.startsWith("src/")) continue;
    const [a, b] = [stageOf(from), stageOf(to)];
    if (!graph.has(a)) graph.set(a, new Set());
    if (a !== b) graph.get(a)!.add(b);
  }
  return new Map([...graph].sort().map(([stage, targets]) => [stage, [...targets].sort()]));
}

/** The cycles between stages (each as `a → b → a`), empty when the stages form a DAG. */
export function stageCycles(graph: Map<string, string[]>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (stage: string) => {
    state.set(stage, "open");
    path.push(stage);
    for (const next of graph.get(stage) ?? []) {
      if (state.get(next) === "open") {
        cycles.push([...path.slice(path.indexOf(next)), next].join(" → "));
      } else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(stage, "done");
  };
  for (const stage of graph.keys()) if (!state.has(stage)) visit(stage);
  return cycles;
}

/**
 * The edges a mermaid `graph TD` block draws (`a --> b & c`), as `a → b` lines, sorted. The first
 * such block after `marker` in `markdown` is read.
 */
export function drawnEdges(markdown: string, marker: string): string[] {
  const from = markdown.indexOf(marker);
  const block = markdown.slice(from).match(/```mermaid\ngraph TD\n([\s\S]*?)```/);
  if (from < 0 || block === null) {
    throw new SyntaxError(`Cannot find a mermaid graph TD block after "${marker}"`);
  }
  const edges: string[] = [];
  for (const line of block[1].split("\n")) {
    const match = line.trim().match(/^([\w-]+) --> (.+)$/);
    if (match === null) continue;
    for (const to of match[2].split("&")) edges.push(`${match[1]} → ${to.trim()}`);
  }
  return edges.sort();
}

/** The stage graph as `a → b` lines, sorted. */
export function graphEdges(graph: Map<string, string[]>): string[] {
  return [...graph].flatMap(([a, targets]) => targets.map((b) => `${a} → ${b}`)).sort();
}
