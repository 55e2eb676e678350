import { deepEqual, equal, rejects } from "node:assert/strict";
import { join } from "node:path";
import { loadDigits, loadMnistIdx } from "../src/data/mod.ts";

/** An IDX file: big-endian magic and sizes, then `body`. */
function idx(magic: number, sizes: number[], body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * sizes.length + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  sizes.forEach((size, i) => view.setUint32(4 + 4 * i, size));
  out.set(body, 4 + 4 * sizes.length);
  return out;
}

/** `n` images whose pixel p of image i is (7i + p) % 256. */
function pixels(n: number): Uint8Array {
  return Uint8Array.from(
    { length: n * 784 },
    (_, k) => (7 * Math.floor(k / 784) + (k % 784)) % 256,
  );
}

const imagesFile = (n: number) => idx(2051, [n, 28, 28], pixels(n));
const labelsFile = (labels: number[]) => idx(2049, [labels.length], Uint8Array.from(labels));

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "data_idx_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes a pair as train-images/labels in `dir` and expects loading the images to fail. */
async function rejectsPair(
  images: Uint8Array,
  labels: Uint8Array,
  name: string,
  message: RegExp,
): Promise<void> {
  await withDir(async (dir) => {
    const path = join(dir, "train-images-idx3-ubyte");
    await Deno.writeFile(path, images);
    await Deno.writeFile(join(dir, "train-labels-idx1-ubyte"), labels);
    await rejects(loadMnistIdx(path), (e: Error) => {
      equal(e.name, name, e.message);
      equal(e.message.includes(dir), true, `${e.message} names no file`);
      equal(message.test(e.message), true, `${e.message} does not match ${message}`);
      return true;
    });
  });
}

Deno.test("loadMnistIdx() reads a plain pair and finds the labels beside the images", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "t10k-images-idx3-ubyte");
    await Deno.writeFile(path, imagesFile(3));
    await Deno.writeFile(join(dir, "t10k-labels-idx1-ubyte"), labelsFile([5, 0, 4]));
    const set = await loadMnistIdx(path);
    equal(set.count, 3);
    equal(set.source, path);
    deepEqual([...set.labels!], [5, 0, 4]);
    deepEqual(set.images, pixels(3));
  });
});

Deno.test("loadMnistIdx() reads a gzipped pair, and a plain labels file beside gzipped images", async () => {
  await withDir(async (dir) => {
    await Deno.writeFile(join(dir, "train-images-idx3-ubyte.gz"), await gzip(imagesFile(2)));
    await Deno.writeFile(join(dir, "train-labels-idx1-ubyte.gz"), await gzip(labelsFile([1, 9])));
    const set = await loadMnistIdx(join(dir, "train-images-idx3-ubyte.gz"));
    deepEqual([...set.labels!], [1, 9]);
    deepEqual(set.images, pixels(2));
    await Deno.remove(join(dir, "train-labels-idx1-ubyte.gz"));
    await Deno.writeFile(join(dir, "train-labels-idx1-ubyte"), labelsFile([2, 8]));
    deepEqual([...(await loadMnistIdx(join(dir, "train-images-idx3-ubyte.gz"))).labels!], [2, 8]);
  });
});

Deno.test("loadDigits() reads the train pair of a folder, or an images file", async () => {
  await withDir(async (dir) => {
    await Deno.writeFile(join(dir, "train-images-idx3-ubyte.gz"), await gzip(imagesFile(4)));
    await Deno.writeFile(
      join(dir, "train-labels-idx1-ubyte.gz"),
      await gzip(labelsFile([1, 2, 3, 4])),
    );
    await Deno.writeFile(join(dir, "t10k-images-idx3-ubyte"), imagesFile(1));
    await Deno.writeFile(join(dir, "t10k-labels-idx1-ubyte"), labelsFile([7]));
    const train = await loadDigits(dir);
    equal(train.count, 4);
    equal(train.source, join(dir, "train-images-idx3-ubyte.gz"));
    const test = await loadDigits(join(dir, "t10k-images-idx3-ubyte"));
    deepEqual([...test.labels!], [7]);
  });
});

Deno.test("loadDigits() rejects a path that does not exist, naming it and what was expected", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "missing.csv.gz");
    await rejects(loadDigits(path), (e: Error) => {
      equal(e instanceof Deno.errors.NotFound, true);
      equal(
        e.message.startsWith(`Cannot find ${path}: expected a Kaggle train.csv`),
        true,
        e.message,
      );
      return true;
    });
  });
});

Deno.test("loadDigits() rejects a folder that holds no data files", async () => {
  await withDir(async (dir) => {
    await rejects(loadDigits(dir), (e: Error) => {
      equal(e instanceof Deno.errors.NotFound, true);
      equal(
        e.message,
        `Cannot find data in the folder ${dir}: expected train-images-idx3-ubyte.gz, ` +
          "train-images-idx3-ubyte, train-images.idx3-ubyte, train.csv.gz, train.csv",
      );
      return true;
    });
  });
});

Deno.test("loadDigits() rejects a labels file given in place of the images", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "train-labels-idx1-ubyte");
    await Deno.writeFile(path, labelsFile([1]));
    await rejects(loadDigits(path), {
      name: "TypeError",
      message:
        `Cannot load ${path}: expected an IDX images file (magic 2051), found a labels file ` +
        "(magic 2049); pass the images file beside it instead",
    });
  });
});

Deno.test("loadMnistIdx() rejects images whose labels file is missing", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "train-images-idx3-ubyte");
    await Deno.writeFile(path, imagesFile(1));
    await rejects(loadMnistIdx(path), (e: Error) => {
      equal(e instanceof Deno.errors.NotFound, true);
      equal(
        e.message,
        `Cannot find the labels of ${path}: expected ${join(dir, "train-labels-idx1-ubyte")} ` +
          `or ${join(dir, "train-labels-idx1-ubyte.gz")}`,
      );
      return true;
    });
  });
});

Deno.test("loadMnistIdx() rejects an images file with a bad magic number", async () => {
  const swapped = idx(2049, [1, 28, 28], pixels(1));
  await rejectsPair(
    swapped,
    labelsFile([1]),
    "SyntaxError",
    /images-idx3-ubyte at byte 0: expected IDX magic 2051 \(images\), found 2049 \(labels\)$/,
  );
});

Deno.test("loadMnistIdx() rejects a labels file with a bad magic number", async () => {
  await rejectsPair(
    imagesFile(1),
    idx(2051, [1], Uint8Array.of(1)),
    "SyntaxError",
    /labels-idx1-ubyte at byte 0: expected IDX magic 2049 \(labels\), found 2051 \(images\)$/,
  );
});

Deno.test("loadMnistIdx() rejects images that are not 28×28", async () => {
  const wide = idx(2051, [1, 28, 32], new Uint8Array(28 * 32));
  await rejectsPair(
    wide,
    labelsFile([1]),
    "RangeError",
    /images-idx3-ubyte at byte 8: expected images of 28×28, found 28×32$/,
  );
});

Deno.test("loadMnistIdx() rejects a truncated images file with the byte where it ends", async () => {
  const cut = imagesFile(2).subarray(0, 16 + 784 + 100);
  await rejectsPair(
    cut,
    labelsFile([1, 2]),
    "SyntaxError",
    /images-idx3-ubyte: the header says 2×28×28, expected 1584 bytes, found 900 \(the file is truncated at byte 900\)$/,
  );
});

Deno.test("loadMnistIdx() rejects a file shorter than its header", async () => {
  await rejectsPair(
    imagesFile(1).subarray(0, 10),
    labelsFile([1]),
    "SyntaxError",
    /images-idx3-ubyte: expected a 16-byte IDX images header, found a file of 10 bytes$/,
  );
});

Deno.test("loadMnistIdx() rejects bytes after the end the header announces", async () => {
  const long = labelsFile([1, 2, 3]);
  await rejectsPair(
    imagesFile(2),
    long.subarray(0, 10).slice(),
    "SyntaxError",
    /labels-idx1-ubyte: the header says 3, expected 11 bytes, found 10/,
  );
  const extra = new Uint8Array(long.length + 2);
  extra.set(long);
  extra[7] = 2;
  await rejectsPair(imagesFile(2), extra, "SyntaxError", /\(3 extra bytes follow byte 10\)$/);
});

Deno.test("loadMnistIdx() rejects a label outside 0-9 at its byte offset", async () => {
  await rejectsPair(
    imagesFile(3),
    labelsFile([1, 2, 10]),
    "RangeError",
    /labels-idx1-ubyte at byte 10: expected a label 0-9, found 10$/,
  );
});

Deno.test("loadMnistIdx() rejects image and label counts that differ", async () => {
  await rejectsPair(
    imagesFile(3),
    labelsFile([1, 2]),
    "RangeError",
    /^Cannot pair .*images-idx3-ubyte with .*labels-idx1-ubyte: expected as many labels as images \(3\), found 2 labels$/,
  );
});

Deno.test("loadMnistIdx() rejects a truncated gzip file", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "train-images-idx3-ubyte.gz");
    const whole = await gzip(imagesFile(3));
    await Deno.writeFile(path, whole.subarray(0, whole.length >> 1));
    await rejects(loadMnistIdx(path, join(dir, "nowhere")), {
      name: "SyntaxError",
      message: new RegExp(`^Cannot decompress ${path}: expected a complete gzip stream`),
    });
  });
});
