/**
 * TFRecord framing and the few protobuf fields of `tensorflow.Event` that scalars need.
 *
 * Event: wall_time=1 double, step=2 int64, file_version=3 string, summary=5 Summary.
 * Summary: value=1 repeated Value. Value: tag=1 string, simple_value=2 float.
 *
 * @module
 */

const CRC32C_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli) of `bytes`. */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC32C_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15 bits and add 0xa282ead8. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** Frames one record: uint64 length, masked CRC of the length, data, masked CRC of the data. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** Splits a TFRecord file into records, checking both CRCs of each. */
export function readRecords(bytes: Uint8Array, name = "event file"): Uint8Array[] {
  const records: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) {
      throw new SyntaxError(`Cannot read ${name} at byte ${at}: truncated header`);
    }
    const length = Number(view.getBigUint64(at, true));
    if (view.getUint32(at + 8, true) !== maskedCrc32c(bytes.subarray(at, at + 8))) {
      throw new SyntaxError(`Cannot read ${name} at byte ${at}: length CRC mismatch`);
    }
    const end = at + 12 + length;
    if (end + 4 > bytes.length) {
      throw new SyntaxError(`Cannot read ${name} at byte ${at}: truncated record`);
    }
    const data = bytes.subarray(at + 12, end);
    if (view.getUint32(end, true) !== maskedCrc32c(data)) {
      throw new SyntaxError(`Cannot read ${name} at byte ${end}: data CRC mismatch`);
    }
    records.push(data);
    at = end + 4;
  }
  return records;
}

/** The fields of one event this module writes and reads. */
export interface ScalarEvent {
  /** When the event was written, in seconds since 1970 (TensorFlow's `wall_time`). */
  wallTime: number;
  /** The step (epoch) the value belongs to. */
  step?: number;
  /** The file's version line (`brain.Event:2`), on the first event only. */
  fileVersion?: string;
  /** The scalar's name, `epoch_loss` or `epoch_accuracy`. */
  tag?: string;
  /** The scalar's value. */
  value?: number;
}

class ProtoWriter {
  private parts: number[] = [];
  varint(value: bigint | number): this {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.parts.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.parts.push(Number(v));
    return this;
  }
  key(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }
  bytes(field: number, data: Uint8Array): this {
    this.key(field, 2).varint(data.length);
    for (const b of data) this.parts.push(b);
    return this;
  }
  fixed(field: number, value: number, double: boolean): this {
    const buf = new DataView(new ArrayBuffer(double ? 8 : 4));
    if (double) buf.setFloat64(0, value, true);
    else buf.setFloat32(0, value, true);
    this.key(field, double ? 1 : 5);
    for (const b of new Uint8Array(buf.buffer)) this.parts.push(b);
    return this;
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

const utf8 = new TextEncoder();

/** Encodes an Event with either `fileVersion` or one scalar summary value. */
export function encodeEvent(event: ScalarEvent): Uint8Array {
  const w = new ProtoWriter().fixed(1, event.wallTime, true);
  if (event.step !== undefined) w.key(2, 0).varint(event.step);
  if (event.fileVersion !== undefined) w.bytes(3, utf8.encode(event.fileVersion));
  if (event.tag !== undefined) {
    const value = new ProtoWriter().bytes(1, utf8.encode(event.tag)).fixed(
      2,
      event.value ?? 0,
      false,
    )
      .finish();
    w.bytes(5, new ProtoWriter().bytes(1, value).finish());
  }
  return w.finish();
}

/** Iterates over the (field, wire type, value) triples of one protobuf message. */
function* fields(bytes: Uint8Array): Generator<[number, number, bigint | Uint8Array | DataView]> {
  let at = 0;
  const varint = (): bigint => {
    let result = 0n, shift = 0n;
    for (;;) {
      if (at >= bytes.length) {
        throw new SyntaxError(`Cannot decode protobuf at byte ${at}: truncated varint`);
      }
      const b = bytes[at++];
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  while (at < bytes.length) {
    const key = Number(varint());
    const field = key >>> 3, wire = key & 7;
    if (wire === 0) yield [field, wire, varint()];
    else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      yield [field, wire, new DataView(bytes.buffer, bytes.byteOffset + at, size)];
      at += size;
    } else if (wire === 2) {
      const length = Number(varint());
      yield [field, wire, bytes.subarray(at, at + length)];
      at += length;
    } else {throw new SyntaxError(
        `Cannot decode protobuf at byte ${at}: unsupported wire type ${wire}`,
      );}
  }
}

/** Decodes the Event fields written by {@linkcode encodeEvent} (one summary value at most). */
export function decodeEvent(bytes: Uint8Array): ScalarEvent {
  const event: ScalarEvent = { wallTime: NaN };
  for (const [field, , v] of fields(bytes)) {
    if (field === 1 && v instanceof DataView) event.wallTime = v.getFloat64(0, true);
    else if (field === 2 && typeof v === "bigint") event.step = Number(BigInt.asIntN(64, v));
    else if (field === 3 && v instanceof Uint8Array) {
      event.fileVersion = new TextDecoder().decode(v);
    } else if (field === 5 && v instanceof Uint8Array) {
      for (const [sf, , sv] of fields(v)) {
        if (sf !== 1 || !(sv instanceof Uint8Array)) continue;
        for (const [vf, , vv] of fields(sv)) {
          if (vf === 1 && vv instanceof Uint8Array) event.tag = new TextDecoder().decode(vv);
          if (vf === 2 && vv instanceof DataView) event.value = vv.getFloat32(0, true);
        }
      }
    }
  }
  return event;
}
