import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { loadTestDigitGrid } from "../src/bench/_test_digits.ts";
import { mulberry32 } from "../src/data/prng.ts";
import { numberParts } from "../src/preprocess/mod.ts";
import { oneLike } from "../src/train/make_non_digits.ts";
import { composeNumber, mineNumberParts, partLabel } from "../src/train/mine_number_parts.ts";
import { trainRefusal } from "../src/train/train_refusal.ts";

// Fixtures are built from MNIST's test digits (the committed grid), never training digits.

Deno.test("numberParts() on a composed 47 whose digits overlap: the whole glyph is two digits, one cut part is the 4", async () => {
  const set = await loadTestDigitGrid(); // class by class: index 40 is a 4, 70 a 7
  equal(set.labels![40], 4);
  equal(set.labels![70], 7);
  const n = composeNumber(set, [40, 70], { scale: 3, overlap: () => 0.2, rng: mulberry32(2) });
  deepEqual(n.placed.map((d) => d.label), [4, 7]);
  ok(n.placed[1].x0 < n.placed[0].x1, "The 7 is shifted into the 4");
  const parts = numberParts(n.gray);
  const wholes = parts.filter((p) => p.whole);
  equal(wholes.length, 1, "The overlapping digits are one glyph");
  const slack = 0.15 * 20 * n.scale;
  equal(partLabel(wholes[0].box, n.placed, slack), "non-digit");
  const labels = parts.filter((p) => !p.whole).map((p) => partLabel(p.box, n.placed, slack));
  ok(labels.includes(4), `No cut part is the 4: ${labels.join(" ")}`);
  ok(labels.includes("non-digit"), `No cut part is a fragment: ${labels.join(" ")}`);
  for (const p of parts) {
    equal(p.input.length, 784);
    ok(p.input.some((v) => v > 0.5), "A part has no ink");
  }
});

Deno.test("numberParts() on a composed 23 whose digits just touch: two glyphs, each its digit", async () => {
  const set = await loadTestDigitGrid();
  const n = composeNumber(set, [20, 30], { scale: 3, overlap: () => 0, rng: mulberry32(2) });
  const wholes = numberParts(n.gray).filter((p) => p.whole);
  deepEqual(wholes.map((p) => partLabel(p.box, n.placed, 0.15 * 20 * n.scale)), [2, 3]);
});

Deno.test("numberParts() on blank paper: no parts", () => {
  const data = new Uint8Array(100 * 60).fill(230);
  deepEqual(
    numberParts({ width: 100, height: 60, data, originalWidth: 100, originalHeight: 60 }),
    [],
  );
});

Deno.test("mineNumberParts() mines the count asked, digits labelled, no non-digit a bar like a 1, the same for the same seed", async () => {
  const set = await loadTestDigitGrid();
  const first = mineNumberParts(mulberry32(7), { count: 120, digits: set });
  const again = mineNumberParts(mulberry32(7), { count: 120, digits: set });
  equal(first.digits.count + first.nonDigits.count, 120);
  ok(first.digits.count > 0 && first.nonDigits.count > 0, "Both kinds of part are mined");
  equal(first.digits.images.length, first.digits.count * 784);
  equal(first.nonDigits.images.length, first.nonDigits.count * 784);
  equal(first.nonDigits.labels, null);
  ok(first.digits.labels!.every((l) => l >= 0 && l <= 9));
  deepEqual(again.digits.images, first.digits.images);
  deepEqual(again.nonDigits.images, first.nonDigits.images);
  for (let i = 0; i < first.nonDigits.count; i++) {
    const input = Float32Array.from(
      first.nonDigits.images.subarray(i * 784, (i + 1) * 784),
      (v) => v / 255,
    );
    ok(!oneLike(input), `Non-digit part ${i} is a bar like a 1`);
  }
});

Deno.test("mineNumberParts() refuses a negative count and unlabelled digits", async () => {
  const set = await loadTestDigitGrid();
  try {
    mineNumberParts(mulberry32(1), { count: -1, digits: set });
    ok(false, "a negative count was taken");
  } catch (error) {
    ok(error instanceof RangeError);
    match(error.message, /count must be a non-negative integer, got -1/);
  }
  try {
    mineNumberParts(mulberry32(1), { count: 5, digits: { ...set, labels: null } });
    ok(false, "unlabelled digits were taken");
  } catch (error) {
    ok(error instanceof TypeError);
  }
});

Deno.test("trainRefusal() refuses a negative or fractional parts count before loading anything", async () => {
  for (const parts of [-1, 2.5]) {
    await rejects(
      trainRefusal({ data: "no/such/folder", fonts: [], out: "no/such/run", parts }, () => {}),
      (e: Error) =>
        e instanceof RangeError && e.message.includes(`parts must be a non-negative integer`),
    );
  }
});

Deno.test("scripts/train_refusal.ts: --parts that is negative or not a number is refused with the usage, exit 2", async () => {
  const url = new URL("../scripts/train_refusal.ts", import.meta.url);
  for (const value of ["-3", "many", "1.5", ""]) {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", url.pathname, "--data", "x", "--fonts", "y", `--parts=${value}`],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const err = new TextDecoder().decode(stderr);
    equal(code, 2, err);
    match(
      err,
      new RegExp(`Flag --parts must be a whole number of parts \\(0 or more\\), got "${value}"`),
    );
    match(err, /Usage: /);
    ok(!/^\s+at /m.test(err), `no stack trace:\n${err}`);
  }
});

Deno.test("trainRefusal() with parts adds the mined digits to the digits and the other parts to the non-digits, or only the digits", async () => {
  const set = await loadTestDigitGrid();
  const dir = await Deno.makeTempDir({ prefix: "train_parts_test_" });
  try {
    const rows = ["label," + Array.from({ length: 784 }, (_, i) => `pixel${i}`).join(",")];
    for (let i = 0; i < set.count; i++) {
      rows.push([set.labels![i], ...set.images.subarray(i * 784, (i + 1) * 784)].join(","));
    }
    await Deno.writeTextFile(`${dir}/train.csv`, rows.join("\n") + "\n");
    const sizes: Array<[number, number, number, number]> = [];
    for (const partsDigitsOnly of [false, true]) {
      const lines: string[] = [];
      await trainRefusal({
        data: `${dir}/train.csv`,
        fonts: [],
        out: `${dir}/run_${partsDigitsOnly}`,
        epochs: 1,
        batchSize: 8,
        nonDigits: 10,
        nonDigitsPerBatch: 2,
        parts: 40,
        partsDigitsOnly,
      }, (line) => lines.push(line));
      const mined = lines.join("\n").match(/Mined 40 number parts: (\d+) digits, (\d+) non-digits/);
      const training = lines.join("\n").match(/Training on (\d+) digits and (\d+) non-digits/);
      ok(mined !== null && training !== null, lines.join("\n"));
      sizes.push([Number(mined[1]), Number(mined[2]), Number(training[1]), Number(training[2])]);
      const config = JSON.parse(
        await Deno.readTextFile(`${dir}/run_${partsDigitsOnly}/config.json`),
      );
      equal(config.parts, 40);
    }
    const [all, digitsOnly] = sizes;
    equal(all[0] + all[1], 40);
    // 80 of the grid's 100 digits train (the split holds 20 out), then the mined digits join them.
    equal(all[2], 80 + all[0]);
    equal(all[3], 10 + all[1]);
    deepEqual(digitsOnly, [all[0], all[1], 80 + all[0], 10]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
