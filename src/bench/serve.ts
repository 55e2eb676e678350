/**
 * `deno task bench serve`: requests/s, latency and CPU time per request of `deno task serve` under
 * wrk on loopback, with a small PNG, a ~1 MP phone JPEG and a 12 MP JPEG, and resident memory before
 * and after; beside the Flask + PyTorch peer (`../shared/bench/flask_server.py` under
 * `gunicorn -w 2`) when it can run, both servers measured input by input, one after the other.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { samplePhoto, samplePng } from "./_sample_images.ts";
import {
  type BenchInput,
  cpuMs,
  freePort,
  type LoadResult,
  peakRssKb,
  rssKb,
  type RunningServer,
  runWrk,
  startDenoServer,
  startFlaskServer,
  waitForHttp,
} from "./_serve_load.ts";
import { exists, writeFileAtomically } from "../io/mod.ts";
import { formatServeRow } from "./readme_figures.ts";

/** `../shared` beside the repository, where the Flask peer and the reference inputs live. */
const DEFAULT_SHARED = decodeURIComponent(new URL("../../../shared/", import.meta.url).pathname);

const USAGE = `Usage: deno task bench serve [--duration 10] [--connections 8] [--threads 2]
  [--model models/default] [--backend wasm] [--workers N] [--inputs shared|generated]
  [--shared ../shared] [--flask-weights model.pt] [--out results.json]`;

/** The three inputs: `../shared/bench/inputs` when present (the Flask figures use them), else made here. */
async function prepareInputs(which: string, sharedDir: string, dir: string): Promise<BenchInput[]> {
  const shared = `${sharedDir.replace(/\/$/, "")}/bench/inputs`;
  if (which === "shared" || (which === "auto" && await exists(shared))) {
    const at = (name: string) => `${shared}/${name}`;
    return [
      { label: "64 px PNG", path: at("seven-64px.png"), type: "image/png" },
      { label: "1.6 MP JPEG", path: at("seven-1mp.jpg"), type: "image/jpeg" },
      { label: "12 MP JPEG", path: at("seven-12mp.jpg"), type: "image/jpeg" },
    ];
  }
  const inputs: [string, string, string, () => Promise<Uint8Array>][] = [
    ["64 px PNG", "seven-64px.png", "image/png", () => samplePng(7, 64)],
    [
      "1.2 MP JPEG",
      "seven-1mp.jpg",
      "image/jpeg",
      () => samplePhoto(7, { width: 1280, height: 960 }),
    ],
    [
      "12 MP JPEG",
      "seven-12mp.jpg",
      "image/jpeg",
      () => samplePhoto(7, { width: 4000, height: 3000 }),
    ],
  ];
  const out: BenchInput[] = [];
  for (const [label, name, type, make] of inputs) {
    const path = `${dir}/${name}`;
    await Deno.writeFile(path, await make());
    out.push({ label, path, type });
  }
  return out;
}

/** One POST of the input, to show what the server answers before loading it. */
async function probe(url: string, input: BenchInput): Promise<string> {
  const res = await fetch(url, {
    method: "POST",
    body: await Deno.readFile(input.path),
    headers: { "content-type": input.type },
  });
  const text = await res.text();
  if (!res.ok) return `HTTP ${res.status} ${text.slice(0, 120)}`;
  const json = JSON.parse(text);
  return `digit ${json.digit} (p=${Number(json.probability).toFixed(3)})`;
}

/** One server under one input: what `--out` holds under `rows`. */
export interface ServeRow extends LoadResult {
  server: string;
  /** CPU time of the server's processes per request, in ms. */
  cpuMsPerRequest: number;
  input: string;
  answer: string;
  rssBeforeMb: number;
  rssAfterMb: number;
}

type Row = ServeRow;

/** What `deno task bench serve --out FILE` writes (`deno task readme` renders it). */
export interface ServeBenchResult {
  bench: "serve";
  /** When the run finished (ISO 8601). */
  date: string;
  /** The Deno version that ran it. */
  deno: string;
  /** The bench's flags, as given. */
  args: string[];
  /** CPU cores the machine reported. */
  cores: number;
  wrk: { duration: number; connections: number; threads: number };
  /** Each input on each server, the Deno server's row first, then the peer's from the same run. */
  rows: ServeRow[];
  /** The Deno server's peak resident memory (VmHWM), MB. */
  denoPeakMb: number;
  /** Why the Flask peer did not run, when it did not. */
  flaskSkipped?: string;
}

function printRow(row: Row): void {
  console.log(formatServeRow(row, 22));
}

async function measure(
  server: RunningServer,
  input: BenchInput,
  wrk: { duration: number; connections: number; threads: number },
  dir: string,
): Promise<Row> {
  const answer = await probe(server.predictUrl, input);
  await runWrk(server.predictUrl, input, { ...wrk, duration: 1 }, dir); // warm-up, not reported
  const rssBefore = await rssKb(server.pid);
  const cpuBefore = await cpuMs(server.pid);
  const result = await runWrk(server.predictUrl, input, wrk, dir);
  const cpuAfter = await cpuMs(server.pid);
  const rssAfter = await rssKb(server.pid);
  const row: Row = {
    ...result,
    server: server.name,
    input: input.label,
    cpuMsPerRequest: (cpuAfter - cpuBefore) / Math.max(1, result.requests),
    answer,
    rssBeforeMb: rssBefore / 1024,
    rssAfterMb: rssAfter / 1024,
  };
  printRow(row);
  return row;
}

/**
 * Runs the serving benchmark and prints one line per server and input; `--out FILE` writes the
 * figures as JSON, a {@linkcode ServeBenchResult}, which `deno task readme` turns into the
 * README's figures.
 *
 * @example
 * ```ts ignore
 * import { runBench } from "./serve.ts";
 * await runBench(["--duration", "5", "--connections", "8"]);
 * ```
 */
export async function runBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      duration: { type: "string", default: "10" },
      connections: { type: "string", default: "8" },
      threads: { type: "string", default: "2" },
      model: { type: "string" },
      backend: { type: "string", default: "wasm" },
      workers: { type: "string" },
      inputs: { type: "string", default: "auto" },
      shared: { type: "string", default: DEFAULT_SHARED },
      "flask-weights": { type: "string", default: Deno.env.get("FLASK_WEIGHTS") ?? "" },
      out: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const wrk = {
    duration: Number(values.duration),
    connections: Number(values.connections),
    threads: Number(values.threads),
  };
  const dir = await Deno.makeTempDir({ prefix: "bench-serve-" });
  const rows: Row[] = [];
  let denoPeakMb = 0;
  let flaskSkipped: string | undefined;
  try {
    const inputs = await prepareInputs(values.inputs, values.shared, dir);
    console.log(
      `wrk -t${wrk.threads} -c${wrk.connections} -d${wrk.duration}s on 127.0.0.1, ` +
        `${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}`,
    );
    console.log(
      "input        server                    req/s   p50 ms   p99 ms  errors  CPU ms/req  RSS MB b→a    answer",
    );
    // Both servers up at once, measured input by input one after the other, so that each pair
    // of figures sees the same load from whatever else runs on the machine.
    const servers: RunningServer[] = [];
    try {
      const port = await freePort();
      const env: Record<string, string> = values.workers === undefined
        ? {}
        : { PREPROCESS_WORKERS: values.workers };
      const deno = await startDenoServer(port, {
        model: values.model,
        backend: values.backend,
        env,
      });
      servers.push(deno);
      await waitForHttp(`http://127.0.0.1:${port}/readyz`, 60_000);
      const flask = await startFlaskServer(
        await freePort(),
        values.shared,
        values["flask-weights"],
      );
      if (typeof flask === "string") {
        flaskSkipped = flask;
        console.log(`(Flask peer skipped: ${flask})`);
      } else {
        servers.push(flask);
        await waitForHttp(flask.predictUrl.replace(/predict$/, ""), 60_000, true);
      }
      for (const input of inputs) {
        for (const server of servers) rows.push(await measure(server, input, wrk, dir));
      }
      denoPeakMb = (await peakRssKb(deno.pid)) / 1024;
      console.log(`${deno.name}: peak resident memory (VmHWM) ${denoPeakMb.toFixed(0)} MB`);
    } finally {
      for (const server of servers) await server.stop();
    }
    if (values.out) {
      const result: ServeBenchResult = {
        bench: "serve",
        date: new Date().toISOString(),
        deno: Deno.version.deno,
        args,
        cores: navigator.hardwareConcurrency,
        wrk,
        rows,
        denoPeakMb,
        ...(flaskSkipped === undefined ? {} : { flaskSkipped }),
      };
      await writeFileAtomically(values.out, JSON.stringify(result, null, 2) + "\n");
      console.log(`Wrote ${values.out}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
