import { deepEqual, equal, rejects } from "node:assert/strict";
import { join } from "node:path";
import { loadDigits, loadKaggleCsv, parseKaggleCsv } from "../src/data/mod.ts";

const PIXELS = Array.from({ length: 784 }, (_, i) => `pixel${i}`);
const TRAIN_HEADER = ["label", ...PIXELS].join(",");
const TEST_HEADER = PIXELS.join(",");

/** A row whose pixel i is (seed + i) % 256, so rows differ and every value 0-255 appears. */
function pixels(seed: number): number[] {
  return Array.from({ length: 784 }, (_, i) => (seed + i) % 256);
}

function trainRow(label: number, seed: number): string {
  return [label, ...pixels(seed)].join(",");
}

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "data_csv_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes `lines` joined by `\n` (plus a trailing newline) to `dir/name` and expects `load` to fail. */
async function rejectsFile(
  lines: string[],
  error: { name: string; message: RegExp },
  name = "train.csv",
): Promise<void> {
  await withDir(async (dir) => {
    const path = join(dir, name);
    await Deno.writeTextFile(path, lines.join("\n") + (lines.length > 0 ? "\n" : ""));
    await rejects(loadKaggleCsv(path), (e: Error) => {
      equal(e.name, error.name, e.message);
      equal(e.message.startsWith(`Cannot parse ${path}`), true, e.message);
      equal(error.message.test(e.message), true, `${e.message} does not match ${error.message}`);
      return true;
    });
  });
}

Deno.test("loadKaggleCsv() reads a labelled train.csv", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "train.csv");
    await Deno.writeTextFile(
      path,
      [TRAIN_HEADER, trainRow(3, 0), trainRow(9, 7)].join("\n") + "\n",
    );
    const set = await loadKaggleCsv(path);
    equal(set.count, 2);
    equal(set.source, path);
    deepEqual([...set.labels!], [3, 9]);
    deepEqual([...set.images.subarray(0, 784)], pixels(0));
    deepEqual([...set.images.subarray(784)], pixels(7));
  });
});

Deno.test("loadKaggleCsv() reads a gzipped file with CRLF line ends and no trailing newline", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "train.csv.gz");
    await Deno.writeFile(
      path,
      await gzip([TRAIN_HEADER, trainRow(0, 1), trainRow(5, 2)].join("\r\n")),
    );
    const set = await loadKaggleCsv(path);
    equal(set.count, 2);
    deepEqual([...set.labels!], [0, 5]);
    deepEqual([...set.images.subarray(784)], pixels(2));
  });
});

Deno.test("loadKaggleCsv() detects gzip by its magic bytes, not by the file name", async () => {
  await withDir(async (dir) => {
    const gzipped = join(dir, "train.csv");
    await Deno.writeFile(gzipped, await gzip(`${TRAIN_HEADER}\n${trainRow(4, 9)}\n`));
    equal((await loadKaggleCsv(gzipped)).labels![0], 4);
    const plain = join(dir, "plain.csv.gz");
    await Deno.writeTextFile(plain, `${TRAIN_HEADER}\n${trainRow(6, 9)}\n`);
    equal((await loadKaggleCsv(plain)).labels![0], 6);
  });
});

Deno.test("loadKaggleCsv() reads an unlabelled test.csv with labels null", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "test.csv.gz");
    const rows = [pixels(1), pixels(2), pixels(3)].map((p) => p.join(","));
    await Deno.writeFile(path, await gzip([TEST_HEADER, ...rows].join("\n") + "\n\n"));
    const set = await loadDigits(path);
    equal(set.count, 3);
    equal(set.labels, null);
    equal(set.images.length, 3 * 784);
    deepEqual([...set.images.subarray(2 * 784)], pixels(3));
  });
});

Deno.test("parseKaggleCsv() skips blank lines but counts them in line numbers", () => {
  const text = [TRAIN_HEADER, "", trainRow(1, 0), "", trainRow(2, 0).replace(/,0,/, ",x,")].join(
    "\n",
  );
  let message = "";
  try {
    parseKaggleCsv(new TextEncoder().encode(text), "t.csv");
  } catch (e) {
    message = (e as Error).message;
  }
  equal(message.startsWith("Cannot parse t.csv line 5, field "), true, message);
  const good = parseKaggleCsv(
    new TextEncoder().encode([TRAIN_HEADER, "", trainRow(1, 0), ""].join("\n")),
    "t.csv",
  );
  equal(good.count, 1);
  equal(good.images.length, 784);
});

Deno.test("loadKaggleCsv() rejects an empty file", async () => {
  await rejectsFile([], {
    name: "SyntaxError",
    message: /expected a header line .*found an empty file$/,
  });
});

Deno.test("loadKaggleCsv() rejects a file with a header and no rows", async () => {
  await rejectsFile([TRAIN_HEADER], { name: "SyntaxError", message: /expected at least one row/ });
});

Deno.test("loadKaggleCsv() rejects a file without a header", async () => {
  await rejectsFile([trainRow(1, 0)], {
    name: "SyntaxError",
    message: /line 1, field 1: expected header "label", found "1"$/,
  });
});

Deno.test("loadKaggleCsv() rejects a misspelt header field", async () => {
  await rejectsFile([TRAIN_HEADER.replace("pixel17,", "pixl17,"), trainRow(1, 0)], {
    name: "SyntaxError",
    message: /line 1, field 19: expected header "pixel17", found "pixl17"$/,
  });
});

Deno.test("loadKaggleCsv() rejects a header with too few fields", async () => {
  await rejectsFile(["label,pixel0,pixel1", trainRow(1, 0)], {
    name: "SyntaxError",
    message: /line 1: expected a header of 785 fields \(label,pixel0,…,pixel783\), found 3$/,
  });
});

Deno.test("loadKaggleCsv() rejects a row with 783 pixels", async () => {
  await rejectsFile([TRAIN_HEADER, trainRow(1, 0), [1, ...pixels(0).slice(1)].join(",")], {
    name: "SyntaxError",
    message: /line 3: expected 785 fields, found 784$/,
  });
});

Deno.test("loadKaggleCsv() rejects a row with 785 pixels", async () => {
  await rejectsFile([TRAIN_HEADER, trainRow(1, 0) + ",0"], {
    name: "SyntaxError",
    message: /line 2: expected 785 fields, found 786$/,
  });
});

Deno.test("loadKaggleCsv() rejects a labelled row in an unlabelled file", async () => {
  await rejectsFile([TEST_HEADER, trainRow(1, 0)], {
    name: "SyntaxError",
    message: /line 2: expected 784 fields, found 785$/,
  }, "test.csv");
});

Deno.test("loadKaggleCsv() rejects a pixel that is not an integer", async () => {
  for (const bad of ["1.5", "abc", "", " 7", "0x10"]) {
    const row = pixels(0).map(String);
    row[10] = bad;
    await rejectsFile([TRAIN_HEADER, [2, ...row].join(",")], {
      name: "SyntaxError",
      message: new RegExp(
        `line 2, field 12 \\(pixel10\\): expected an integer 0-255, found "${
          bad.replace(".", "\\.")
        }"$`,
      ),
    });
  }
});

Deno.test("loadKaggleCsv() rejects a pixel outside 0-255", async () => {
  for (const bad of ["256", "-1", "99999999999999999999"]) {
    const row = pixels(0).map(String);
    row[783] = bad;
    await rejectsFile([TRAIN_HEADER, trainRow(0, 0), [2, ...row].join(",")], {
      name: "RangeError",
      message: new RegExp(
        `line 3, field 785 \\(pixel783\\): expected an integer 0-255, found ${bad}$`,
      ),
    });
  }
});

Deno.test("loadKaggleCsv() rejects a label outside 0-9", async () => {
  await rejectsFile([TRAIN_HEADER, trainRow(10, 0)], {
    name: "RangeError",
    message: /line 2, field 1 \(label\): expected a label 0-9, found 10$/,
  });
});

Deno.test("loadKaggleCsv() rejects a truncated gzip file", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "train.csv.gz");
    const whole = await gzip([TRAIN_HEADER, trainRow(1, 0), trainRow(2, 0)].join("\n"));
    await Deno.writeFile(path, whole.subarray(0, whole.length - 20));
    await rejects(loadKaggleCsv(path), (e: Error) => {
      equal(e.name, "SyntaxError");
      equal(
        e.message.startsWith(`Cannot decompress ${path}: expected a complete gzip stream`),
        true,
        e.message,
      );
      return true;
    });
  });
});
