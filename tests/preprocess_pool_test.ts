// The photo pipeline on a pool of Web Workers: the same answers and the same errors as on the
// calling thread, several images at once, and a clean stop.
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { createPreprocessPool, preprocessImage } from "../src/preprocess/mod.ts";
import { fixtureBytes, fixtureRows } from "./_photo_fixtures.ts";

const rows = await fixtureRows();
const scenes = rows.filter((r) => r.kind !== "bad").slice(0, 6);
const bad = rows.filter((r) => r.kind === "bad" && !r.expect.startsWith("null"));
const ERRORS: Record<string, ErrorConstructor> = { TypeError, RangeError, SyntaxError };

Deno.test("createPreprocessPool() answers as preprocessImage() does, several images at once", async () => {
  const pool = createPreprocessPool({ workers: 2 });
  try {
    const files = await Promise.all(scenes.map((r) => fixtureBytes(r.file)));
    const pooled = await Promise.all(files.map((bytes) => pool.preprocess(bytes)));
    for (const [i, bytes] of files.entries()) {
      const here = await preprocessImage(bytes);
      deepEqual(pooled[i].box, here.box, scenes[i].file);
      deepEqual(pooled[i].stats, here.stats, scenes[i].file);
      deepEqual(pooled[i].input, here.input, scenes[i].file);
    }
  } finally {
    pool.close();
  }
});

Deno.test("createPreprocessPool() rejects bad files with the error class and message of preprocessImage()", async () => {
  const pool = createPreprocessPool({ workers: 1 });
  try {
    for (const row of bad) {
      const [kind, message] = row.expect.split(/:(.*)/s);
      await rejects(pool.preprocess(await fixtureBytes(row.file)), (error: Error) => {
        ok(
          error instanceof ERRORS[kind],
          `${row.file}: ${error.constructor.name}: ${error.message}`,
        );
        ok(error.message.includes(message), `${row.file}: "${error.message}" lacks "${message}"`);
        return true;
      });
    }
  } finally {
    pool.close();
  }
});

Deno.test("createPreprocessPool() passes its options to every image", async () => {
  const pool = createPreprocessPool({ workers: 1, preprocess: { maxPixels: 1_000 } });
  try {
    await rejects(pool.preprocess(await fixtureBytes(scenes[0].file)), RangeError);
  } finally {
    pool.close();
  }
});

Deno.test("createPreprocessPool() with 0 workers runs the pipeline on the calling thread", async () => {
  const pool = createPreprocessPool({ workers: 0 });
  equal(pool.size, 0);
  const result = await pool.preprocess(await fixtureBytes(scenes[0].file));
  ok(result.input !== null && result.input.length === 784);
  pool.close();
});

Deno.test("createPreprocessPool() rejects images in flight when closed, and starts again after", async () => {
  const pool = createPreprocessPool({ workers: 1 });
  const bytes = await fixtureBytes(scenes[0].file);
  const inFlight = pool.preprocess(bytes);
  pool.close();
  await rejects(inFlight, /workers were stopped/);
  try {
    ok((await pool.preprocess(bytes)).input !== null);
  } finally {
    pool.close();
  }
});

Deno.test("createPreprocessPool() rejects with the signal's reason once it aborts, and goes on working", async () => {
  const pool = createPreprocessPool({ workers: 1 });
  try {
    const bytes = await fixtureBytes(scenes[0].file);
    const controller = new AbortController();
    const reason = new Error("The client went away");
    const stopped = pool.preprocess(bytes, { signal: controller.signal });
    controller.abort(reason);
    await rejects(stopped, (e: unknown) => e === reason);
    await rejects(pool.preprocess(bytes, { signal: controller.signal }), (e) => e === reason);
    ok((await pool.preprocess(bytes)).input !== null, "the worker still answers");
  } finally {
    pool.close();
  }
});

Deno.test("preprocessImage() stops with the signal's reason before decoding once it is aborted", async () => {
  const reason = new RangeError("Stopped");
  await rejects(
    preprocessImage(await fixtureBytes(scenes[0].file), { signal: AbortSignal.abort(reason) }),
    (e: unknown) => e === reason,
  );
});

Deno.test("createPreprocessPool() runs images up to inThreadPixels on the calling thread, with the same answers", async () => {
  const pool = createPreprocessPool({ workers: 1, inThreadPixels: 1_000_000_000 });
  try {
    const bytes = await fixtureBytes(scenes[0].file);
    const here = await preprocessImage(bytes);
    const pooled = await pool.preprocess(bytes);
    deepEqual(pooled.input, here.input);
  } finally {
    pool.close();
  }
});

Deno.test("createPreprocessPool().read() rejects at once when aborted during the model's call, on a worker or on the calling thread", async () => {
  const bytes = await fixtureBytes(scenes[0].file);
  for (const workers of [1, 0]) {
    const pool = createPreprocessPool({ workers });
    try {
      const controller = new AbortController();
      const reason = new Error("The client went away");
      const ones = (n: number) =>
        Float32Array.from({ length: n * 10 }, (_, i) => (i % 10 === 1 ? 1 : 0));
      // The model answers, but the client left while it ran: no answer is given for it.
      const leaving = {
        predict: (_batch: Float32Array, n: number) => {
          controller.abort(reason);
          return Promise.resolve(ones(n));
        },
      };
      await rejects(pool.read(bytes, leaving, { signal: controller.signal }), (e) => e === reason);
      const staying = { predict: (_batch: Float32Array, n: number) => Promise.resolve(ones(n)) };
      equal((await pool.read(bytes, staying)).reading.number, "1", `${workers} workers`);
    } finally {
      pool.close();
    }
  }
});
