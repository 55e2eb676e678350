/**
 * `deno task bench hostile`: the hostile corpus (zlib and pixel bombs, damaged files of every
 * type, lying content types, animated files, oversized forms, a slow body, a client that gives
 * up) against `deno task serve` on 127.0.0.1, one request at a time, with the status, code, time
 * and memory growth of each; then a bounded soak of mixed valid (a 64 px PNG, 1.6 and 12 MP photos,
 * a number on a scanned page), garbage and bomb traffic from a
 * few connections, with the server's resident memory when warm, at its peak and after an idle
 * pause.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { samplePhoto, samplePng } from "./_sample_images.ts";
import { renderNumberScene } from "./_number_scenes.ts";
import { loadTestDigitGrid } from "./_test_digits.ts";
import { mulberry32 } from "../data/prng.ts";
import { bodyOf, expected, type HostileCase, hostileCorpus } from "./_hostile_corpus.ts";
import { writeFileAtomically } from "../io/mod.ts";
import { formatHostileRow } from "./readme_figures.ts";
import {
  cpuMs,
  freePort,
  peakRssKb,
  rssKb,
  type RunningServer,
  startDenoServer,
  waitForHttp,
} from "./_serve_load.ts";

const USAGE = `Usage: deno task bench hostile [--soak-seconds 20] [--soak-connections 4]
  [--idle-seconds 10] [--timeout-ms 3000] [--workers N] [--model models/default]
  [--backend wasm] [--out results.json]`;

/** What one request got. */
interface Answer {
  status: number;
  code: string;
  ms: number;
}

/** One row of the corpus report. */
export interface CaseRow extends Answer {
  name: string;
  about: string;
  ok: boolean;
  rssGrowthMb: number;
}

const mb = (kb: number): number => Math.round(kb / 102.4) / 10;

/**
 * A valid upload of the heaviest kind the reader handles: a number written small on an A4-like
 * scanned page (`renderNumberScene()`'s `"scan"` layout, five MNIST test digits from the committed
 * grid, a fixed seed), which the reader looks at again decoded up to 1,536 px.
 */
async function scanPage(): Promise<HostileCase> {
  const digits = await loadTestDigitGrid();
  const rng = mulberry32(2026);
  const indices = Array.from({ length: 5 }, () => Math.floor(rng() * digits.count));
  const scene = await renderNumberScene(digits, indices, "scan", rng);
  const type = scene.format === "jpeg" ? "image/jpeg" : "image/png";
  return { name: "scan-page", about: "", body: scene.bytes, type, expect: {} };
}

async function send(url: string, item: HostileCase, signal?: AbortSignal): Promise<Answer> {
  const start = performance.now();
  const headers: Record<string, string> = item.type === undefined
    ? {}
    : { "content-type": item.type };
  const res = await fetch(url, { method: "POST", body: bodyOf(item), headers, signal });
  const text = await res.text();
  let code = "";
  try {
    code = JSON.parse(text)?.error?.code ?? "";
  } catch {
    code = "(not JSON)";
  }
  return { status: res.status, code, ms: performance.now() - start };
}

/**
 * Sends the headers of a PNG upload of 100,000 bytes and 8 bytes of it, then nothing, and reads
 * what the server answers (a 408 once its time limit passes).
 */
async function sendSlowly(port: number, waitMs: number): Promise<Answer> {
  const start = performance.now();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const head = "POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n" +
      "Content-Length: 100000\r\n\r\n";
    await conn.write(new TextEncoder().encode(head));
    await conn.write(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const timer = setTimeout(() => conn.close(), waitMs);
    let text = "";
    const buffer = new Uint8Array(4096);
    try {
      for (;;) {
        const n = await conn.read(buffer);
        if (n === null) break;
        text += new TextDecoder().decode(buffer.subarray(0, n));
        if (/\r\n\r\n[\s\S]*\}\s*$/.test(text)) break;
      }
    } catch {
      // closed by the timer: no answer
    } finally {
      clearTimeout(timer);
    }
    const status = Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0);
    const code = /"code":"([a-z_]+)"/.exec(text)?.[1] ?? "";
    return { status, code, ms: performance.now() - start };
  } finally {
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
}

/** Runs the corpus one request at a time; returns its rows. */
async function runCorpus(
  server: RunningServer,
  port: number,
  corpus: HostileCase[],
  timeoutMs: number,
): Promise<CaseRow[]> {
  console.log("case                   status code                       ms   ΔRSS MB");
  const rows: CaseRow[] = [];
  for (const item of corpus) {
    const before = await rssKb(server.pid);
    const answer = item.body === "slow"
      ? await sendSlowly(port, timeoutMs + 5_000)
      : await send(server.predictUrl, item);
    const after = await rssKb(server.pid);
    const row: CaseRow = {
      name: item.name,
      about: item.about,
      ...answer,
      ok: expected(item, answer.status, answer.code),
      rssGrowthMb: mb(after - before),
    };
    console.log(formatHostileRow(row));
    rows.push(row);
  }
  return rows;
}

/** A client that gives up: a 12 MP photo whose request is aborted after `ms`. */
async function abandon(url: string, photo: Uint8Array, ms: number): Promise<void> {
  try {
    const res = await fetch(url, {
      method: "POST",
      body: photo as Uint8Array<ArrayBuffer>,
      headers: { "content-type": "image/jpeg" },
      signal: AbortSignal.timeout(ms),
    });
    await res.body?.cancel();
  } catch {
    // the point
  }
}

/** CPU ms the server spends in `ms` after `start()` has been called (and awaited). */
async function cpuAfter(pid: number, start: () => Promise<unknown>, ms: number): Promise<number> {
  await start();
  const before = await cpuMs(pid);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return (await cpuMs(pid)) - before;
}

/**
 * What a client that gives up still costs: CPU the server spends in the second from 50 ms after
 * the client aborted a form of two 12 MP photos a third of the way through, beside an idle second
 * and the whole request.
 */
async function measureCancellation(server: RunningServer, photo: Uint8Array): Promise<string> {
  const form = () => {
    const data = new FormData();
    for (let i = 0; i < 2; i++) {
      data.append("image", new Blob([photo as Uint8Array<ArrayBuffer>]), `${i}.jpg`);
    }
    return data;
  };
  await new Promise((resolve) => setTimeout(resolve, 2000)); // let earlier work settle
  const idle = await cpuAfter(server.pid, () => Promise.resolve(), 1000);
  const full0 = await cpuMs(server.pid);
  const start = performance.now();
  const full = await fetch(server.predictUrl, { method: "POST", body: form() });
  await full.body?.cancel();
  const wall = performance.now() - start;
  const whole = (await cpuMs(server.pid)) - full0;
  const abortAt = Math.max(10, Math.round(wall / 3));
  const after = await cpuAfter(server.pid, async () => {
    const controller = new AbortController();
    const request = fetch(server.predictUrl, {
      method: "POST",
      body: form(),
      signal: controller.signal,
    }).catch(() => null);
    await new Promise((resolve) => setTimeout(resolve, abortAt));
    controller.abort();
    await request;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }, 1000);
  return `a form of two 12 MP photos costs ${whole} CPU ms in ${wall.toFixed(0)} ms ` +
    `(HTTP ${full.status}); aborted ${abortAt} ms in, from 50 ms after the abort the server ` +
    `spent ${after} CPU ms in a second (${idle} when idle)`;
}

/** The result of the soak. */
export interface SoakResult {
  seconds: number;
  requests: number;
  /** Answers by `status code`. */
  answers: Record<string, number>;
  warmMb: number;
  peakMb: number;
  idleMb: number;
  /** p99 of the valid requests that got a 200, in ms. */
  validP99Ms: number;
}

/** What `deno task bench hostile --out FILE` writes (`deno task readme` renders it). */
export interface HostileBenchResult {
  bench: "hostile";
  /** When the run finished (ISO 8601). */
  date: string;
  /** The Deno version that ran it. */
  deno: string;
  /** The bench's flags, as given. */
  args: string[];
  /** The server's `TIMEOUT_MS`. */
  timeoutMs: number;
  /** Resident memory at start and after 30 valid requests, MB. */
  startMb: number;
  warmMb: number;
  /** One row per hostile case. */
  cases: CaseRow[];
  /** How long `/healthz` took after five clients gave up on a 12 MP photo, ms. */
  healthzMs: number;
  /** What a client that gives up still costs, in words. */
  cancellation: string;
  soak: SoakResult & { connections: number; idleSeconds: number };
  /** Peak resident memory of the whole run (VmHWM), MB. */
  peakMb: number;
}

async function soak(
  server: RunningServer,
  corpus: HostileCase[],
  valid: HostileCase[],
  photo: Uint8Array,
  options: { seconds: number; connections: number; idleSeconds: number },
): Promise<SoakResult> {
  const mix = [...corpus.filter((c) => c.body !== "slow")];
  const answers: Record<string, number> = {};
  const validMs: number[] = [];
  const end = Date.now() + options.seconds * 1000;
  let requests = 0;
  let peak = 0;
  const sampler = setInterval(async () => {
    peak = Math.max(peak, await rssKb(server.pid));
  }, 250);
  const loop = async (id: number) => {
    for (let i = id; Date.now() < end; i++) {
      // Every other request valid; the rest walk the hostile corpus; now and then a client that
      // gives up on a large photo.
      if (i % 10 === 5) {
        await abandon(server.predictUrl, photo, 30);
        answers["aborted"] = (answers["aborted"] ?? 0) + 1;
        continue;
      }
      const item = i % 2 === 0 ? valid[(i >> 1) % valid.length] : mix[(i >> 1) % mix.length];
      try {
        const answer = await send(server.predictUrl, item);
        const key = `${answer.status} ${answer.code}`.trim();
        answers[key] = (answers[key] ?? 0) + 1;
        if (i % 2 === 0 && answer.status === 200) validMs.push(answer.ms);
      } catch (error) {
        const key = `failed ${error instanceof Error ? error.name : "Error"}`;
        answers[key] = (answers[key] ?? 0) + 1;
      }
      requests++;
    }
  };
  const warm = await rssKb(server.pid);
  const start = performance.now();
  await Promise.all(Array.from({ length: options.connections }, (_, i) => loop(i)));
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, await rssKb(server.pid));
  await new Promise((resolve) => setTimeout(resolve, options.idleSeconds * 1000));
  const idle = await rssKb(server.pid);
  validMs.sort((a, b) => a - b);
  return {
    seconds,
    requests,
    answers,
    warmMb: mb(warm),
    peakMb: mb(peak),
    idleMb: mb(idle),
    validP99Ms: validMs[Math.floor(validMs.length * 0.99)] ?? 0,
  };
}

/**
 * Runs the hostile benchmark and prints one line per case, then the soak's figures; `--out FILE`
 * writes them as JSON, a {@linkcode HostileBenchResult}, which `deno task readme` turns into the
 * README's figures.
 *
 * @example
 * ```ts ignore
 * import { runBench } from "./hostile.ts";
 * await runBench(["--soak-seconds", "30"]);
 * ```
 */
export async function runBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      "soak-seconds": { type: "string", default: "20" },
      "soak-connections": { type: "string", default: "4" },
      "idle-seconds": { type: "string", default: "10" },
      "timeout-ms": { type: "string", default: "3000" },
      workers: { type: "string" },
      model: { type: "string" },
      backend: { type: "string", default: "wasm" },
      out: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const timeoutMs = Number(values["timeout-ms"]);
  const limits = { maxBodyBytes: 6 * 1024 * 1024, maxFiles: 16 };
  console.log("Generating the hostile corpus …");
  const corpus = await hostileCorpus(limits);
  // The 12 MP photo is also what the clients that give up post.
  const photo = await samplePhoto(7, { width: 4000, height: 3000 });
  const valid: HostileCase[] = [
    { name: "png-64", about: "", body: await samplePng(7, 64), type: "image/png", expect: {} },
    {
      name: "jpeg-1mp",
      about: "",
      body: await samplePhoto(7, { width: 1280, height: 960 }),
      type: "image/jpeg",
      expect: {},
    },
    {
      name: "jpeg-12mp",
      about: "",
      body: photo,
      type: "image/jpeg",
      expect: {},
    },
    await scanPage(),
  ];
  const port = await freePort();
  const env: Record<string, string> = { TIMEOUT_MS: String(timeoutMs) };
  if (values.workers !== undefined) env.PREPROCESS_WORKERS = values.workers;
  const server = await startDenoServer(port, {
    model: values.model,
    backend: values.backend,
    env,
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, 60_000);
    const started = await rssKb(server.pid);
    for (let i = 0; i < 30; i++) await send(server.predictUrl, valid[i % valid.length]);
    const warm = await rssKb(server.pid);
    console.log(
      `Server on 127.0.0.1:${port}, TIMEOUT_MS=${timeoutMs}: ${mb(started)} MB at start, ` +
        `${mb(warm)} MB after 30 valid requests`,
    );
    const rows = await runCorpus(server, port, corpus, timeoutMs);
    for (let i = 0; i < 5; i++) await abandon(server.predictUrl, photo, 20);
    const health = performance.now();
    await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.body?.cancel());
    const healthzMs = performance.now() - health;
    console.log(
      `5 clients gave up on a 12 MP photo after 20 ms; /healthz then answered in ${
        healthzMs.toFixed(1)
      } ms`,
    );
    const cancellation = await measureCancellation(server, photo);
    console.log(cancellation);
    const unexpected = rows.filter((r) => !r.ok).length;
    console.log(
      `${rows.length} cases, ${unexpected} unexpected; peak RSS so far ${
        mb(await peakRssKb(server.pid))
      } MB`,
    );
    const seconds = Number(values["soak-seconds"]);
    console.log(
      `Soak: ${seconds} s, ${values["soak-connections"]} connections, half valid, half hostile …`,
    );
    const result = await soak(server, corpus, valid, photo, {
      seconds,
      connections: Number(values["soak-connections"]),
      idleSeconds: Number(values["idle-seconds"]),
    });
    const answers = Object.entries(result.answers).sort().map(([k, n]) => `${k}: ${n}`);
    console.log(
      `${result.requests} requests in ${result.seconds.toFixed(1)} s; valid p99 ${
        result.validP99Ms.toFixed(1)
      } ms\n  ${answers.join("\n  ")}`,
    );
    const peak = await peakRssKb(server.pid);
    console.log(
      `RSS: ${result.warmMb} MB warm before the soak, ${result.peakMb} MB peak during it, ` +
        `${result.idleMb} MB after ${values["idle-seconds"]} s idle ` +
        `(${(100 * (result.idleMb / result.warmMb - 1)).toFixed(0)} % over warm); ` +
        `peak of the whole run (VmHWM) ${mb(peak)} MB`,
    );
    if (values.out) {
      const out: HostileBenchResult = {
        bench: "hostile",
        date: new Date().toISOString(),
        deno: Deno.version.deno,
        args,
        timeoutMs,
        startMb: mb(started),
        warmMb: mb(warm),
        cases: rows,
        healthzMs,
        cancellation,
        soak: {
          ...result,
          connections: Number(values["soak-connections"]),
          idleSeconds: Number(values["idle-seconds"]),
        },
        peakMb: mb(peak),
      };
      await writeFileAtomically(values.out, JSON.stringify(out, null, 2) + "\n");
      console.log(`Wrote ${values.out}`);
    }
  } finally {
    await server.stop();
  }
}
