/**
 * The edge service: a Hono app that turns an uploaded photo into a digit, run locally by
 * `deno task serve` and on Deno Deploy by `main.ts`.
 *
 * @module
 */
export * from "./config.ts";
export * from "./create_app.ts";
export * from "./start_server.ts";
export * from "./types.ts";
