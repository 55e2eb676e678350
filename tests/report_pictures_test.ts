import assert from "node:assert/strict";
import sharp from "sharp";
import {
  confusionMatrix,
  DIAGRAM_WIDTH,
  diagramHeight,
  GRID_CELL_HEIGHT,
  GRID_CELL_WIDTH,
  GRID_TITLE_HEIGHT,
  renderConfusionMatrix,
  renderDigitGrid,
  renderHistoryChart,
  renderModelDiagram,
  renderTsne,
} from "../src/report/mod.ts";
import { createModel } from "../src/model/create_model.ts";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Checks the PNG signature and IHDR, and returns sharp's width and height. */
async function pngSize(png: Uint8Array): Promise<{ width: number; height: number }> {
  assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE);
  assert.equal(new TextDecoder().decode(png.subarray(12, 16)), "IHDR");
  const view = new DataView(png.buffer, png.byteOffset);
  const meta = await sharp(png).metadata();
  assert.equal(meta.format, "png");
  assert.equal(meta.width, view.getUint32(16));
  assert.equal(meta.height, view.getUint32(20));
  return { width: meta.width, height: meta.height };
}

Deno.test("renderHistoryChart() draws loss and accuracy as PNG charts", async () => {
  const history = {
    epoch: [1, 2, 3],
    loss: [0.6, 0.3, 0.2],
    valLoss: [0.4, 0.3, 0.28],
    accuracy: [0.8, 0.9, 0.95],
    valAccuracy: [0.85, 0.9, 0.92],
  };
  for (const metric of ["loss", "accuracy"] as const) {
    const { width, height } = await pngSize(await renderHistoryChart(history, metric));
    assert.ok(width > 480 && width < 800, `width ${width}`);
    assert.ok(height > 300 && height < 500, `height ${height}`);
  }
});

Deno.test("renderDigitGrid() is cols × cell wide and rows × cell high, plus the title band", async () => {
  const images = Uint8Array.from({ length: 6 * 784 }, (_, i) => (i * 7) % 256);
  const plain = await pngSize(
    await renderDigitGrid(images, { rows: 2, cols: 3, labels: [1, 2, 3, 4, 5, 6] }),
  );
  assert.deepEqual(plain, { width: 3 * GRID_CELL_WIDTH, height: 2 * GRID_CELL_HEIGHT });
  const titled = await pngSize(
    await renderDigitGrid(images, {
      rows: 3,
      cols: 2,
      labels: [1, 2, 3, 4, 5, 6],
      predictions: [1, 2, 0, 4, 5, 6],
      title: "Validation",
    }),
  );
  assert.deepEqual(titled, {
    width: 2 * GRID_CELL_WIDTH,
    height: 3 * GRID_CELL_HEIGHT + GRID_TITLE_HEIGHT,
  });
});

Deno.test("renderDigitGrid() rejects pixels that are not whole 28×28 images", async () => {
  await assert.rejects(renderDigitGrid(new Uint8Array(785), { rows: 1, cols: 2 }), RangeError);
});

Deno.test("renderDigitGrid() leaves blank cells when there are fewer digits than cells", async () => {
  const png = await renderDigitGrid(new Uint8Array(784).fill(255), {
    rows: 2,
    cols: 2,
    labels: [7],
  });
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [2 * GRID_CELL_WIDTH, 2 * GRID_CELL_HEIGHT]);
  const at = (x: number, y: number) => data[y * info.width + x];
  assert.equal(at(4 + 10, 4 + 10), 0); // first cell: the all-ink digit, drawn dark
  assert.equal(at(GRID_CELL_WIDTH + 14, 14), 255); // second cell: blank paper
});

Deno.test("confusionMatrix() counts each (true, predicted) pair", () => {
  const m = confusionMatrix([0, 0, 1, 9, 9, 9], [0, 1, 1, 9, 9, 3]);
  assert.equal(m.length, 10);
  assert.equal(m[0][0], 1);
  assert.equal(m[0][1], 1);
  assert.equal(m[1][1], 1);
  assert.equal(m[9][9], 2);
  assert.equal(m[9][3], 1);
  assert.equal(m.flat().reduce((a, b) => a + b), 6);
  assert.throws(() => confusionMatrix([0], [10]), RangeError);
  assert.throws(() => confusionMatrix([0, 1], [0]), RangeError);
});

Deno.test("renderConfusionMatrix() draws a PNG heatmap", async () => {
  const labels = Array.from({ length: 50 }, (_, i) => i % 10);
  const predictions = labels.map((l, i) => (i % 7 === 0 ? (l + 1) % 10 : l));
  const { width, height } = await pngSize(await renderConfusionMatrix(labels, predictions));
  assert.ok(width > 400 && height > 400, `${width}×${height}`);
});

Deno.test("renderModelDiagram() draws one box per layer of the notebook's CNN", async () => {
  const model = createModel();
  const size = await pngSize(await renderModelDiagram(model));
  assert.deepEqual(size, { width: DIAGRAM_WIDTH, height: diagramHeight(model.layers.length) });
  model.dispose();
});

Deno.test("renderTsne() draws a PNG scatter and checks its inputs", async () => {
  const { width, height } = await pngSize(
    await renderTsne(new Float32Array([0, 0, 1, 1, 2, 0]), [0, 5, 9]),
  );
  assert.ok(width > 480 && height > 480, `${width}×${height}`);
  await assert.rejects(renderTsne(new Float32Array(4), [1]), RangeError);
});
