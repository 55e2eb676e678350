import assert from "node:assert/strict";
import { basename } from "node:path";
import {
  createKerasTensorBoard,
  createTensorBoardWriter,
  readTensorBoardEvents,
  type ScalarEvent,
} from "../src/report/mod.ts";
import { crc32c, maskedCrc32c } from "../src/report/_tfrecord.ts";

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

Deno.test("crc32c() matches the Castagnoli test vectors", () => {
  assert.equal(crc32c(ascii("123456789")), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(0)), 0);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43); // RFC 3720 B.4: 32 bytes of 0xff
  const masked = maskedCrc32c(ascii("123456789"));
  assert.equal(masked, ((((0xe3069283 >>> 15) | (0xe3069283 << 17)) >>> 0) + 0xa282ead8) >>> 0);
});

Deno.test("createTensorBoardWriter() writes Keras-style scalars that read back", async () => {
  const root = await Deno.makeTempDir();
  try {
    const train = createTensorBoardWriter(`${root}/train`);
    const validation = createTensorBoardWriter(`${root}/validation`);
    for (let epoch = 0; epoch < 3; epoch++) {
      train.scalar("epoch_loss", 1 / (epoch + 1), epoch);
      train.scalar("epoch_accuracy", 0.5 + epoch / 10, epoch);
      validation.scalar("epoch_loss", 1.5 / (epoch + 1), epoch);
    }
    train.close();
    validation.close();
    assert.match(basename(train.path), /^events\.out\.tfevents\.\d+\..+$/);
    const events = readTensorBoardEvents(await Deno.readFile(train.path), train.path);
    assert.equal(events.length, 7);
    assert.equal(events[0].fileVersion, "brain.Event:2");
    assert.ok(Math.abs(events[0].wallTime - Date.now() / 1000) < 3600);
    assert.deepEqual(
      events.slice(1).map((e) => [e.tag, e.step, Math.round(e.value! * 1e6) / 1e6]),
      [
        ["epoch_loss", 0, 1],
        ["epoch_accuracy", 0, 0.5],
        ["epoch_loss", 1, 0.5],
        ["epoch_accuracy", 1, 0.6],
        ["epoch_loss", 2, 0.333333],
        ["epoch_accuracy", 2, 0.7],
      ],
    );
    const validationEvents = readTensorBoardEvents(await Deno.readFile(validation.path));
    assert.equal(validationEvents.length, 4);
    assert.equal(validationEvents[3].step, 2);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("readTensorBoardEvents() rejects a record whose data CRC is wrong", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const writer = createTensorBoardWriter(dir);
    writer.scalar("epoch_loss", 0.25, 1);
    writer.close();
    const bytes = await Deno.readFile(writer.path);
    bytes[bytes.length - 6] ^= 0xff; // flip a byte inside the last record's data
    assert.throws(() => readTensorBoardEvents(bytes), /data CRC mismatch/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The fields of TensorFlow's event.proto and summary.proto that scalar summaries use. */
const EVENT_PROTO = `syntax = "proto3";
package tensorflow;
message SummaryValue { string tag = 1; float simple_value = 2; }
message Summary { repeated SummaryValue value = 1; }
message Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
`;

/** Path of Debian's `protoc` (package protobuf-compiler), or null when it is not installed. */
function findProtoc(): string | null {
  try {
    return Deno.statSync("/usr/bin/protoc").isFile ? "/usr/bin/protoc" : null;
  } catch {
    return null;
  }
}

Deno.test({
  name: "createTensorBoardWriter() events decode with protoc against TensorFlow's Event schema",
  ignore: findProtoc() === null,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const writer = createTensorBoardWriter(`${dir}/validation`);
      writer.scalar("epoch_accuracy", 0.75, 4);
      writer.close();
      const records = readRecordsForProtoc(await Deno.readFile(writer.path));
      await Deno.writeTextFile(`${dir}/event.proto`, EVENT_PROTO);
      const decode = async (record: Uint8Array): Promise<string> => {
        const child = new Deno.Command(findProtoc()!, {
          args: [`--proto_path=${dir}`, "--decode=tensorflow.Event", `${dir}/event.proto`],
          stdin: "piped",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const w = child.stdin.getWriter();
        await w.write(record);
        await w.close();
        const { code, stdout, stderr } = await child.output();
        assert.equal(code, 0, new TextDecoder().decode(stderr));
        return new TextDecoder().decode(stdout);
      };
      assert.match(await decode(records[0]), /file_version: "brain.Event:2"/);
      const scalar = await decode(records[1]);
      assert.match(scalar, /step: 4/);
      assert.match(scalar, /tag: "epoch_accuracy"/);
      assert.match(scalar, /simple_value: 0.75/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Splits TFRecord framing by the lengths alone (CRCs are checked by the other tests). */
function readRecordsForProtoc(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const length = Number(view.getBigUint64(at, true));
    records.push(bytes.slice(at + 12, at + 12 + length));
    at += 16 + length;
  }
  return records;
}

Deno.test("createKerasTensorBoard() writes train/ and validation/ runs with Keras' tags", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const board = createKerasTensorBoard(dir);
    board.logEpoch(0, { loss: 0.4, accuracy: 0.875, valLoss: 0.3, valAccuracy: 0.9375 });
    board.logEpoch(1, { loss: 0.2, accuracy: 0.9375 });
    board.close();
    const read = (sub: string): ScalarEvent[] => {
      const [entry] = [...Deno.readDirSync(`${dir}/${sub}`)];
      return readTensorBoardEvents(Deno.readFileSync(`${dir}/${sub}/${entry.name}`));
    };
    const tags = (events: ScalarEvent[]) => events.slice(1).map((e) => [e.tag, e.step, e.value]);
    assert.deepEqual(tags(read("train")), [
      ["epoch_loss", 0, Math.fround(0.4)],
      ["epoch_accuracy", 0, 0.875],
      ["epoch_loss", 1, Math.fround(0.2)],
      ["epoch_accuracy", 1, 0.9375],
    ]);
    assert.deepEqual(tags(read("validation")), [
      ["epoch_loss", 0, Math.fround(0.3)],
      ["epoch_accuracy", 0, 0.9375],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
