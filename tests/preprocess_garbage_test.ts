import { equal, ok } from "node:assert/strict";
import { createGarbageCollector } from "../src/preprocess/mod.ts";

const MODULE = new URL("../src/preprocess/collect_garbage.ts", import.meta.url).href;

/**
 * In a fresh isolate (`deno eval`, V8 flags as given): 32 MB of 16 KB typed arrays outlive two
 * young-generation collections and die; the script prints what `collect()` said and the isolate's
 * external memory before it and 300 ms after (V8 frees the buffers on a background thread).
 */
async function garbageAfterCollect(flags: string[]): Promise<[string, number, number]> {
  const script = `
    import { createGarbageCollector } from "${MODULE}";
    const collector = createGarbageCollector(60_000);
    function leave() {
      const arrays = [];
      for (let i = 0; i < 2048; i++) arrays.push(new Float32Array(4096));
      for (let i = 0; i < 50; i++) new Array(100_000).fill(i); // promotes them
      return arrays.length;
    }
    leave();
    const before = Deno.memoryUsage().external;
    const ran = [collector.collect(), collector.collect(), collector.collect(true)].join();
    await new Promise((resolve) => setTimeout(resolve, 300));
    console.log(JSON.stringify([ran, before, Deno.memoryUsage().external]));
  `;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", ...flags, script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(code, 0, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout));
}

Deno.test("createGarbageCollector() frees promoted ArrayBuffers at once where gc() is exposed", async () => {
  const [ran, before, after] = await garbageAfterCollect(["--v8-flags=--expose-gc"]);
  equal(ran, "true,false,true", "once per interval, and when forced");
  ok(before > 32 << 20, `${before} bytes held before`);
  ok(before - after > 30 << 20, `${before} → ${after} bytes`);
});

Deno.test("createGarbageCollector() does nothing where gc() is not exposed", async () => {
  const [ran] = await garbageAfterCollect([]);
  equal(ran, "false,false,false");
  const collector = createGarbageCollector(0);
  equal(collector.available, false, "deno test does not expose gc()");
  equal(collector.collect(true), false);
});

Deno.test("createGarbageCollector() with a growth floor collects only once the isolate grew by it", async () => {
  // Each look is due (interval 0): the first finds no growth, the second 32 MB of promoted
  // garbage, the third nothing new since that collection.
  const script = `
    import { createGarbageCollector } from "${MODULE}";
    const collector = createGarbageCollector(0, 16 << 20);
    function leave() {
      const arrays = [];
      for (let i = 0; i < 2048; i++) arrays.push(new Float32Array(4096));
      for (let i = 0; i < 50; i++) new Array(100_000).fill(i); // promotes them
      return arrays.length;
    }
    const ran = [collector.collect()];
    leave();
    ran.push(collector.collect(), collector.collect());
    console.log(ran.join());
  `;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--v8-flags=--expose-gc", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(code, 0, new TextDecoder().decode(stderr));
  equal(new TextDecoder().decode(stdout).trim(), "false,true,false");
});
