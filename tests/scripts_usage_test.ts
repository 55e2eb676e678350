/**
 * Every script answers `--help` with its usage (exit 0), and an unknown flag with what was wrong
 * and the usage (exit 2), never with an uncaught error's stack trace.
 *
 * @module
 */
import { equal, match, ok } from "node:assert/strict";

const SCRIPTS = ["bench", "export", "predict", "readme", "serve", "train", "train_refusal"];

async function run(script: string, ...flags: string[]) {
  const url = new URL(`../scripts/${script}.ts`, import.meta.url);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", url.pathname, ...flags],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, out: text(stdout), err: text(stderr) };
}

for (const script of SCRIPTS) {
  Deno.test(`scripts/${script}.ts: --help prints its usage, an unknown flag a clear error`, async () => {
    const help = await run(script, "--help");
    equal(help.code, 0, help.err);
    match(help.out, /^Usage: /m);
    // `bench` passes its flags on to the benchmark named first.
    const bad = await run(script, ...(script === "bench" ? ["numbers"] : []), "--bogus");
    equal(bad.code, 2, bad.err);
    match(bad.err, /Unknown option '--bogus'/);
    match(bad.err, /Usage: /);
    ok(!/^\s+at /m.test(bad.err), `no stack trace:\n${bad.err}`);
  });
}
