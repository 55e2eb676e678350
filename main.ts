/**
 * The entry point Deno Deploy runs (`deploy.runtime.entrypoint` in `deno.json`): the edge service
 * with its configuration from environment variables (`MODEL_PATH`, `MAX_BODY_BYTES`, `CORS_ORIGIN`,
 * … see `src/serve/config.ts`). It answers at once, loads the model in the background, writes
 * nothing to disk and stops gracefully on SIGINT, as Deploy asks. Run it as Deploy does:
 * `PORT=8000 deno run --allow-all main.ts`.
 *
 * @module
 */
import { configFromEnv, startServer } from "./src/serve/mod.ts";

async function main(): Promise<void> {
  const config = configFromEnv(Deno.env.toObject());
  const server = await startServer(config, { waitForModel: false });
  const stop = () => server.shutdown();
  Deno.addSignalListener("SIGINT", stop);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
  await server.finished;
  Deno.removeSignalListener("SIGINT", stop);
  if (Deno.build.os !== "windows") Deno.removeSignalListener("SIGTERM", stop);
}

if (import.meta.main) await main();
