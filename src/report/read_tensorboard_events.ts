import { decodeEvent, readRecords, type ScalarEvent } from "./_tfrecord.ts";

export type { ScalarEvent };

/**
 * Reads an event file written by {@linkcode createTensorBoardWriter}: checks both CRCs of every
 * record and decodes wall time, step, file version and the first scalar value of each event.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTensorBoardWriter } from "./tensorboard_writer.ts";
 * const writer = createTensorBoardWriter(await Deno.makeTempDir());
 * writer.scalar("epoch_loss", 0.5, 3);
 * writer.close();
 * const events = readTensorBoardEvents(Deno.readFileSync(writer.path));
 * assert.equal(events[1].step, 3);
 * ```
 */
export function readTensorBoardEvents(bytes: Uint8Array, name = "event file"): ScalarEvent[] {
  return readRecords(bytes, name).map(decodeEvent);
}
