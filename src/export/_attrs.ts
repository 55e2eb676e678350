/** TensorFlow's JSON encoding of `AttrValue`s and `TensorShapeProto`s, as in a converter's model.json. */

/** A GraphDef node in JSON form. */
export interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

/** `{"s": base64(text)}` — strings are bytes in protobuf JSON. */
export const str = (text: string): { s: string } => ({ s: btoa(text) });
/** `{"list": {"s": [...]}}`. */
export const strList = (texts: string[]): unknown => ({ list: { s: texts.map((t) => btoa(t)) } });
/** `{"list": {"i": ["1", ...]}}` — int64s are strings in protobuf JSON. */
export const intList = (values: number[]): unknown => ({ list: { i: values.map(String) } });
/** `{"i": "1"}`. */
export const int = (value: number): unknown => ({ i: String(value) });
/** `{"f": 0.2}`. */
export const float = (value: number): unknown => ({ f: value });
/** `{"b": true}`. */
export const bool = (value: boolean): unknown => ({ b: value });
/** `{"type": "DT_FLOAT"}`. */
export const type = (dtype: "float32" | "int32"): unknown => ({ type: dataType(dtype) });

/** `DT_FLOAT` / `DT_INT32`. */
export function dataType(dtype: "float32" | "int32"): string {
  return dtype === "float32" ? "DT_FLOAT" : "DT_INT32";
}

/** `{"dim": [{"size": "-1"}, ...]}`; `null` dimensions become -1. */
export function tensorShape(shape: (number | null)[]): { dim: { size: string }[] } {
  return { dim: shape.map((d) => ({ size: String(d ?? -1) })) };
}

/** A `Const` node whose value comes from the weights manifest (entry of the same name). */
export function constNode(name: string, dtype: "float32" | "int32", shape: number[]): GraphNode {
  return {
    name,
    op: "Const",
    attr: {
      value: { tensor: { dtype: dataType(dtype), tensorShape: tensorShape(shape) } },
      dtype: type(dtype),
    },
  };
}
