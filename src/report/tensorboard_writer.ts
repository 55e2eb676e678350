import { hostname } from "node:os";
import { join } from "node:path";
import { encodeEvent, frameRecord } from "./_tfrecord.ts";

/** Writes TensorBoard scalars to one `events.out.tfevents.<time>.<host>` file. */
export interface TensorBoardWriter {
  /** Path of the event file. */
  readonly path: string;
  /** Appends one scalar summary (`tag` at `step`). */
  scalar(tag: string, value: number, step: number): void;
  /** Flushes and closes the file. */
  close(): void;
}

/**
 * Creates `dir` and a TensorBoard event file in it, starting with the `brain.Event:2` version
 * record, as `tf.summary.create_file_writer` does. Keras writes `train/` and `validation/`
 * subfolders with tags `epoch_loss`, `epoch_accuracy`: use one writer per subfolder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const writer = createTensorBoardWriter(`${dir}/train`);
 * writer.scalar("epoch_loss", 0.25, 0);
 * writer.close();
 * assert.ok(Deno.statSync(writer.path).size > 0);
 * ```
 */
export function createTensorBoardWriter(dir: string): TensorBoardWriter {
  Deno.mkdirSync(dir, { recursive: true });
  const now = Date.now() / 1000;
  const path = join(dir, `events.out.tfevents.${Math.floor(now)}.${hostname()}`);
  const file = Deno.openSync(path, { create: true, write: true, truncate: true });
  const write = (bytes: Uint8Array): void => {
    let done = 0;
    while (done < bytes.length) done += file.writeSync(bytes.subarray(done));
  };
  write(frameRecord(encodeEvent({ wallTime: now, fileVersion: "brain.Event:2" })));
  let closed = false;
  return {
    path,
    scalar(tag: string, value: number, step: number): void {
      if (closed) throw new TypeError(`Cannot write to ${path}: the writer is closed`);
      write(frameRecord(encodeEvent({ wallTime: Date.now() / 1000, step, tag, value })));
    },
    close(): void {
      if (closed) return;
      closed = true;
      file.syncSync();
      file.close();
    },
  };
}
