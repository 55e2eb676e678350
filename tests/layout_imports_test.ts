import { deepEqual, equal } from "node:assert/strict";
import {
  drawnEdges,
  foreignPrivateImports,
  graphEdges,
  projectImports,
  relativeSpecifiers,
  stageCycles,
  stageGraph,
} from "./_stage_imports.ts";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);

Deno.test("No stage imports another stage's private _ files", async () => {
  deepEqual(foreignPrivateImports(await projectImports(ROOT)), []);
});

Deno.test("The stages import each other without a cycle", async () => {
  deepEqual(stageCycles(stageGraph(await projectImports(ROOT))), []);
});

Deno.test("src/io, the model-file layer, imports no other stage", async () => {
  deepEqual(stageGraph(await projectImports(ROOT)).get("io"), []);
});

for (
  const [file, marker] of [["DEVELOPERS.md", "### Which stage imports which"], [
    "README.md",
    "## Layout",
  ]]
) {
  Deno.test(`The picture in ${file} shows exactly the imports between stages`, async () => {
    const actual = graphEdges(stageGraph(await projectImports(ROOT)));
    const drawn = drawnEdges(await Deno.readTextFile(`${ROOT}${file}`), marker);
    deepEqual(
      {
        missingFromPicture: actual.filter((e) => !drawn.includes(e)),
        notImported: drawn.filter((e) => !actual.includes(e)),
      },
      { missingFromPicture: [], notImported: [] },
      `update the mermaid graph in ${file} (${marker})`,
    );
  });
}

Deno.test("The import rules catch a foreign _ import and a cycle", () => {
  const edges = [
    { from: "src/bench/photos.ts", to: "src/preprocess/_classifier.ts" },
    { from: "src/preprocess/a.ts", to: "src/preprocess/_b.ts" },
    { from: "src/model/classifier.ts", to: "src/export/mod.ts" },
    { from: "src/export/run_export.ts", to: "src/model/mod.ts" },
  ];
  deepEqual(foreignPrivateImports(edges), [
    "src/bench/photos.ts → src/preprocess/_classifier.ts",
  ]);
  deepEqual(stageCycles(stageGraph(edges)), ["export → model → export"]);
});

Deno.test("relativeSpecifiers() reads imports, re-exports and dynamic imports, not doc examples", () => {
  const source = [
    `import { a } from "./a.ts";`,
    `export * from "../b/mod.ts";`,
    `const { c } = await import("../c/mod.ts");`,
    `import type { D } from "npm:d";`,
    `/**`,
    ` * import { e } from "../e/_e.ts";`,
    ` */`,
  ].join("\n");
  deepEqual(relativeSpecifiers(source), ["./a.ts", "../b/mod.ts", "../c/mod.ts"]);
  equal(relativeSpecifiers(`import "./side_effect.ts";`).length, 1);
});
