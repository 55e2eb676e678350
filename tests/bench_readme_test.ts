import { equal, notEqual, ok, rejects } from "node:assert/strict";
import { parsePeerLines } from "../src/bench/photos.ts";
import {
  renderPhotoFigures,
  renderRefuseFigures,
  updateReadmeBlocks,
  writeReadmeFigures,
} from "../src/bench/readme_figures.ts";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);

Deno.test("The README's benchmark blocks match the benches' committed JSON", async () => {
  equal(await writeReadmeFigures({ file: `${ROOT}README.md`, check: true }), false);
});

Deno.test("writeReadmeFigures() with check refuses a README whose figures were edited by hand", async () => {
  const dir = await Deno.makeTempDir({ prefix: "readme_" });
  try {
    await Deno.mkdir(`${dir}/benchmarks`);
    for await (const entry of Deno.readDir(`${ROOT}benchmarks`)) {
      await Deno.copyFile(`${ROOT}benchmarks/${entry.name}`, `${dir}/benchmarks/${entry.name}`);
    }
    const readme = await Deno.readTextFile(`${ROOT}README.md`);
    // One more photo right on the photo block's "all" row, as a hand edit would do.
    const edited = readme.replace(
      /(<!-- bench:photos [^\n]*-->[\s\S]*?\nall +)(\d+)/,
      (_, head: string, right: string) => `${head}${Number(right) + 1}`,
    );
    notEqual(edited, readme);
    await Deno.writeTextFile(`${dir}/README.md`, edited);
    await rejects(writeReadmeFigures({ file: `${dir}/README.md`, check: true }), {
      message: /README\.md is out of date with the benchmarks' JSON: run deno task readme/,
    });
    equal(await writeReadmeFigures({ file: `${dir}/README.md` }), true);
    equal(await Deno.readTextFile(`${dir}/README.md`), readme);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("updateReadmeBlocks() refuses unknown benches and unclosed or mismatched blocks", async () => {
  const read = () => Promise.resolve({});
  await rejects(updateReadmeBlocks("<!-- bench:nope a.json -->\n\n<!-- /bench:nope -->", read), {
    name: "RangeError",
    message: /bench:nope: expected one of photos/,
  });
  await rejects(updateReadmeBlocks("<!-- bench:photos a.json -->\nno end\n", read), {
    name: "SyntaxError",
  });
  await rejects(updateReadmeBlocks("<!-- bench:photos a.json -->\n<!-- /bench:step -->", read), {
    name: "SyntaxError",
    message: /ends with <!-- \/bench:step -->/,
  });
});

Deno.test("renderPhotoFigures() prints the Python peer's figures from the same run", () => {
  const tally = { correct: 1, refused: 0, total: 2 };
  const text = renderPhotoFigures({
    bench: "photos",
    date: "2026-11-26T08:00:00Z",
    deno: "2.9.6",
    ours: { model: "m", all: tally, kinds: { k: tally }, images: 2, seconds: 1 },
    python: { mnist: { all: { correct: 2, total: 2 }, kinds: { k: { correct: 2, total: 2 } } } },
  }, "p.json");
  equal(text.split("\n").at(-2), "mnist    2/2 (100.0 %): k 2/2");
});

Deno.test("renderRefuseFigures() prints the project's own non-digits when the bench measured them", () => {
  const base = {
    bench: "refuse",
    date: "2026-11-26T08:00:00Z",
    deno: "2.9.6",
    args: ["--fonts", "a.woff"],
    model: "m",
    nonDigits: null,
    digits: null,
    calibration: null,
  };
  const synthetic = {
    source: "own non-digits: letters and words in a.woff, doodles",
    seed: 99,
    by: { letter: { refused: 2, total: 3 }, doodle: { refused: 3, total: 3 } },
    all: { refused: 5, total: 6 },
  };
  const text = renderRefuseFigures({ ...base, synthetic }, "r.json");
  equal(
    text.split("\n")[3],
    "Non-digits refused, own non-digits: letters and words in a.woff, doodles (seed 99): " +
      "letter 2/3, doodle 3/3, all 5/6 (83.3 %)",
  );
  equal(renderRefuseFigures(base, "r.json").includes("own non-digits"), false);
});

Deno.test("renderRefuseFigures() prints the held-out stroke letters and the digit scenes when measured", () => {
  const base = {
    bench: "refuse",
    date: "2026-11-26T08:00:00Z",
    deno: "2.9.6",
    args: ["--strokes", "4", "--digit-scenes", "5"],
    model: "m",
    nonDigits: null,
    digits: null,
    calibration: null,
  };
  const strokes = { source: "held-out stroke letters", seed: 99, refused: 3, total: 4 };
  const digitScenes = {
    source: "../shared/data/mnist/t10k",
    seed: 4242,
    right: 4,
    refused: 1,
    wrong: 0,
    total: 5,
  };
  const lines = renderRefuseFigures({ ...base, strokes, digitScenes }, "r.json").split("\n");
  ok(
    lines.includes(
      "Held-out stroke letters refused, held-out stroke letters (seed 99): 3/4 (75.0 %)",
    ),
  );
  ok(
    lines.some((l) =>
      /^Single-digit scenes, .*t10k \(seed 4242\): right 4\/5 \(80\.0 %\), refused 1, wrong 0$/
        .test(l)
    ),
    lines.join("\n"),
  );
  const plain = renderRefuseFigures(base, "r.json");
  equal(plain.includes("stroke letters") || plain.includes("Single-digit scenes"), false);
});

Deno.test("parsePeerLines() reads what photo_pipeline.py prints", () => {
  const printed =
    "naive all 278/462 = 0.602 {'canvas_drawing': '20/54', 'photo_ink_on_paper': '40/67'}\n" +
    "mnist all 390/462 = 0.844 {'canvas_drawing': '31/54'}\n";
  const peer = parsePeerLines(printed);
  equal(peer.naive.all.correct, 278);
  equal(peer.naive.kinds.photo_ink_on_paper.total, 67);
  equal(peer.mnist.kinds.canvas_drawing.correct, 31);
});

Deno.test("parsePeerLines() reads what number_pipeline.py prints", () => {
  const printed = "components+cnn all 12/46 = 0.261 {'canvas_drawing': '3/4', 'scan': '2/16'}\n" +
    "tesseract all 6/46 = 0.130 {'scan': '3/16'}\n";
  const peer = parsePeerLines(printed);
  equal(peer["components+cnn"].all.correct, 12);
  equal(peer["components+cnn"].kinds.scan.total, 16);
  equal(peer.tesseract.kinds.scan.correct, 3);
});

Deno.test("Every bench's JSON in benchmarks/ is rendered by a block of the README", async () => {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  for await (const entry of Deno.readDir(`${ROOT}benchmarks`)) {
    const bench = JSON.parse(await Deno.readTextFile(`${ROOT}benchmarks/${entry.name}`)).bench;
    equal(readme.includes(`<!-- bench:${bench} benchmarks/${entry.name} -->`), true, entry.name);
  }
});
