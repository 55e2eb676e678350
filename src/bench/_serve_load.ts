// Helpers of the serving benchmark: start the servers, load them with wrk, read their memory.

/** One benchmark input file. */
export interface BenchInput {
  label: string;
  path: string;
  type: string;
}

/** What wrk measured for one server and input. */
export interface LoadResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Non-2xx answers plus socket errors (connect, read, write, timeout). */
  errors: number;
}

/** A server under test. */
export interface RunningServer {
  name: string;
  pid: number;
  predictUrl: string;
  stop(): Promise<void>;
}

const WRK_SCRIPT = `local f = assert(io.open(os.getenv("FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("CTYPE")
`;

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return Promise.resolve(port);
}

/** A process and all its descendants, as `[pid, rss KiB]` rows, from `ps`. */
async function processTree(root: number): Promise<number[][]> {
  const output = await new Deno.Command("ps", {
    args: ["-e", "-o", "pid=,ppid=,rss="],
    stdout: "piped",
  }).output();
  const rows = new TextDecoder().decode(output.stdout).trim().split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number));
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of rows) {
      if (tree.has(parent) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return rows.filter(([pid]) => tree.has(pid)).map(([pid, , rss]) => [pid, rss]);
}

/**
 * Resident memory of a process and all its descendants, in KiB, from `ps` (Deno allows reading
 * `/proc` only under --allow-all).
 */
export async function rssKb(root: number): Promise<number> {
  return (await processTree(root)).reduce((total, [, rss]) => total + rss, 0);
}

/**
 * The most resident memory a process has had since it started (`VmHWM`), in KiB, read by `cat`
 * from `/proc/<pid>/status`.
 */
export async function peakRssKb(pid: number): Promise<number> {
  const output = await new Deno.Command("cat", {
    args: [`/proc/${pid}/status`],
    stdout: "piped",
    stderr: "null",
  }).output();
  const line = /^VmHWM:\s+(\d+) kB/m.exec(new TextDecoder().decode(output.stdout));
  return line === null ? 0 : Number(line[1]);
}

/**
 * CPU time (user + system, all threads) a process and its descendants have used so far, in ms,
 * from `/proc/<pid>/stat` read by `cat`. On a machine shared with other jobs, CPU time per
 * request says more than requests per second, which depend on what else runs.
 */
export async function cpuMs(root: number): Promise<number> {
  const pids = (await processTree(root)).map(([pid]) => `/proc/${pid}/stat`);
  const output = await new Deno.Command("cat", { args: pids, stdout: "piped", stderr: "null" })
    .output();
  let ticks = 0;
  for (const line of new TextDecoder().decode(output.stdout).trim().split("\n")) {
    // Fields after the command name in parentheses: state is field 3, utime 14, stime 15.
    const fields = line.slice(line.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === "us" ? n / 1000 : unit === "s" ? n * 1000 : unit === "m" ? n * 60_000 : n;
}

/** Reads wrk's `--latency` report. */
export function parseWrk(text: string): LoadResult {
  const latency = (pct: string): number => {
    const m = new RegExp(`^\\s*${pct}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, "m").exec(text);
    if (m === null) {
      throw new SyntaxError(`Cannot read the ${pct}% latency in wrk's report:\n${text}`);
    }
    return toMs(m[1], m[2]);
  };
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const requests = /(\d+) requests in/.exec(text);
  if (rps === null || requests === null) {
    throw new SyntaxError(`Cannot read requests/sec in wrk's report:\n${text}`);
  }
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket === null ? 0 : socket.slice(1).reduce((n, v) => n + Number(v), 0);
  return {
    requestsPerSec: Number(rps[1]),
    p50Ms: latency("50"),
    p99Ms: latency("99"),
    requests: Number(requests[1]),
    errors: non2xx + socketErrors,
  };
}

/** Runs wrk against `url`, posting `input` as the raw body. */
export async function runWrk(
  url: string,
  input: BenchInput,
  options: { duration: number; connections: number; threads: number },
  dir: string,
): Promise<LoadResult> {
  const script = `${dir}/post.lua`;
  await Deno.writeTextFile(script, WRK_SCRIPT);
  const { duration, connections, threads } = options;
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("wrk", {
      args: [`-t${threads}`, `-c${connections}`, `-d${duration}s`, "--latency", "-s", script, url],
      env: { FILE: input.path, CTYPE: input.type },
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound("Cannot run wrk: install it (Debian: apt-get install wrk)");
    }
    throw error;
  }
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  if (!output.success) throw new Error(`wrk failed (exit ${output.code}):\n${text}`);
  return parseWrk(text);
}

/** Polls `url` until it answers 200 (or any status when `anyStatus`), for at most `ms`. */
export async function waitForHttp(url: string, ms: number, anyStatus = false): Promise<void> {
  const deadline = Date.now() + ms;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.ok || anyStatus) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not become ready within ${ms} ms (${last})`);
}

function stopper(child: Deno.ChildProcess): () => Promise<void> {
  return async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
  };
}

/** Starts `scripts/serve.ts` on 127.0.0.1 as its own process. */
export function startDenoServer(
  port: number,
  options: { model?: string; backend: string; env?: Record<string, string> },
): Promise<RunningServer> {
  const script = decodeURIComponent(new URL("../../scripts/serve.ts", import.meta.url).pathname);
  // As `deno task serve` runs it (deno.json): a young generation of 1 MB per isolate, gc(), and
  // two glibc arenas.
  const args = ["run", "--allow-read", "--allow-env", "--allow-net", "--allow-ffi", "--allow-sys"];
  args.push("--v8-flags=--max-semi-space-size=1,--expose-gc");
  args.push(script, "--host", "127.0.0.1", "--port", String(port), "--backend", options.backend);
  if (options.model) args.push("--model", options.model);
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env: { MALLOC_ARENA_MAX: "2", ...options.env },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  return Promise.resolve({
    name: `deno ${Deno.version.deno} ${options.backend}`,
    pid: child.pid,
    predictUrl: `http://127.0.0.1:${port}/predict`,
    stop: stopper(child),
  });
}

/** Starts the Flask peer under `gunicorn -w 2`, or says why it cannot run here. */
export async function startFlaskServer(
  port: number,
  sharedDir: string,
  weights: string,
): Promise<RunningServer | string> {
  const folder = `${sharedDir.replace(/\/$/, "")}/bench/`;
  try {
    await Deno.stat(`${folder}flask_server.py`);
  } catch {
    return `no ${folder}flask_server.py`;
  }
  if (weights === "") return "no weights: pass --flask-weights model.pt (from torch_seed.py)";
  const check = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", "import flask, torch, PIL, gunicorn"],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => null);
  if (check === null || !check.success) {
    return "needs Debian python3-flask, python3-torch, python3-pil and gunicorn";
  }
  const child = new Deno.Command("/usr/bin/python3", {
    args: [
      "-m",
      "gunicorn",
      "-w",
      "2",
      "-b",
      `127.0.0.1:${port}`,
      "--chdir",
      folder,
      "flask_server:app",
    ],
    // gunicorn runs in `folder`: a relative path to the weights is relative to here.
    env: { WEIGHTS: weights.startsWith("/") ? weights : `${Deno.cwd()}/${weights}` },
    stdout: "null",
    stderr: "null",
  }).spawn();
  return {
    name: "flask+torch gunicorn -w2",
    pid: child.pid,
    predictUrl: `http://127.0.0.1:${port}/predict`,
    stop: stopper(child),
  };
}
