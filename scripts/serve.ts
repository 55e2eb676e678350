/**
 * `deno task serve [--port 8000] [--host 127.0.0.1] [--model models/default] [--backend wasm]
 * [--cors ORIGINS] [--workers N]`: the edge service on this machine. Environment variables (see
 * `src/serve/config.ts`) set the other limits; flags win over them.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { configFromEnv, type ServeConfig, startServer } from "../src/serve/mod.ts";

const USAGE = `Usage: deno task serve [--port 8000] [--host 127.0.0.1] [--model models/default]
  [--backend wasm|simd|cpu] [--cors ORIGIN[,ORIGIN…]|*] [--workers N]
Other settings come from environment variables: MAX_BODY_BYTES, MAX_PIXELS, MAX_FILES, TIMEOUT_MS,
ALLOWED_TYPES, PUBLISH_MODEL, PREPROCESS_WORKERS (see the README).`;

function parse(args: string[]): ServeConfig | null {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      model: { type: "string" },
      backend: { type: "string" },
      cors: { type: "string" },
      workers: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) return null;
  const flags: Record<string, string | undefined> = {
    PORT: values.port,
    HOST: values.host,
    MODEL_PATH: values.model,
    BACKEND: values.backend,
    CORS_ORIGIN: values.cors,
    PREPROCESS_WORKERS: values.workers,
  };
  const defined = Object.entries(flags).filter(([, v]) => v !== undefined);
  // Locally the server listens on loopback unless asked otherwise (Deploy's main.ts uses 0.0.0.0).
  return configFromEnv({
    HOST: "127.0.0.1",
    ...Deno.env.toObject(),
    ...Object.fromEntries(defined),
  });
}

async function main(args: string[]): Promise<void> {
  let config: ServeConfig | null;
  try {
    config = parse(args);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : error}\n${USAGE}`);
    Deno.exit(2);
  }
  if (config === null) {
    console.log(USAGE);
    return;
  }
  try {
    await (await startServer(config)).finished;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      console.error(error.message);
      Deno.exit(1);
    }
    throw error;
  }
}

if (import.meta.main) await main(Deno.args);
