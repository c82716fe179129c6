/** Reading ONNX protobuf pieces we need: dtypes, small constant values (never weights), attributes. */
import type { AttributeProto, NodeProto, TensorProto, TypeProto } from 'onnx-buf';
import type { DType } from '../ir/types.ts';

/** ONNX TensorProto.DataType -> IR dtype (4-bit and 8-bit floats round to their storage class). */
const ONNX_DTYPES: Readonly<Record<number, DType>> = {
  1: 'f32', 2: 'u8', 3: 'i8', 4: 'i16', 5: 'i16', 6: 'i32', 7: 'i64', 8: 'u8', 9: 'bool', 10: 'f16', 11: 'f64',
  12: 'i32', 13: 'i64', 14: 'f32', 15: 'f64', 16: 'bf16', 17: 'f8', 18: 'f8', 19: 'f8', 20: 'f8', 21: 'i8', 22: 'i8',
  23: 'f8', 24: 'f8',
};

export function onnxDtype(code: number): DType {
  return ONNX_DTYPES[code] ?? 'f32';
}

export function isFloat(d: DType): boolean {
  return d === 'f64' || d === 'f32' || d === 'tf32' || d === 'f16' || d === 'bf16' || d === 'f8';
}

/** Largest constant whose values we read (shape tensors, axes, split sizes); weights are never read. */
export const MAX_FOLD_ELEMENTS = 4096;

/** A dimension from value_info: a number, or a symbolic name, or undefined when absent. */
export type Dim = number | string | undefined;

export function typeShape(t: TypeProto | undefined): { dims: Dim[] | undefined; dtype: DType | undefined } {
  if (!t || t.value.case !== 'tensorType') return { dims: undefined, dtype: undefined };
  const tt = t.value.value;
  const dtype = tt.elemType ? onnxDtype(tt.elemType) : undefined;
  if (!tt.shape) return { dims: undefined, dtype };
  const dims = tt.shape.dim.map((d): Dim => {
    if (d.value.case === 'dimValue') return Number(d.value.value);
    if (d.value.case === 'dimParam') return d.value.value;
    return undefined;
  });
  return { dims, dtype };
}

function littleEndianValues(raw: Uint8Array, dataType: number, count: number): number[] | undefined {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: number[] = [];
  const width: Record<number, number> = { 1: 4, 2: 1, 3: 1, 5: 2, 4: 2, 6: 4, 7: 8, 9: 1, 11: 8, 12: 4, 13: 8 };
  const w = width[dataType];
  if (w === undefined || raw.byteLength < count * w) return undefined;
  for (let i = 0; i < count; i++) {
    const o = i * w;
    switch (dataType) {
      case 1: out.push(view.getFloat32(o, true)); break;
      case 11: out.push(view.getFloat64(o, true)); break;
      case 2: case 9: out.push(view.getUint8(o)); break;
      case 3: out.push(view.getInt8(o)); break;
      case 4: out.push(view.getUint16(o, true)); break;
      case 5: out.push(view.getInt16(o, true)); break;
      case 6: out.push(view.getInt32(o, true)); break;
      case 12: out.push(view.getUint32(o, true)); break;
      case 7: case 13: out.push(Number(view.getBigInt64(o, true))); break;
      default: return undefined;
    }
  }
  return out;
}

/** Values of a small inline tensor, or undefined for big, external or unreadable ones. */
export function tensorValues(t: TensorProto): number[] | undefined {
  const count = t.dims.reduce((a, d) => a * Number(d), 1);
  if (!Number.isFinite(count) || count < 0 || count > MAX_FOLD_ELEMENTS) return undefined;
  if (t.dataLocation === 1) return undefined;
  if (t.rawData.byteLength > 0) return littleEndianValues(t.rawData, t.dataType, count);
  if (t.int64Data.length) return t.int64Data.slice(0, count).map(Number);
  if (t.int32Data.length) return t.int32Data.slice(0, count);
  if (t.floatData.length) return t.floatData.slice(0, count);
  if (t.doubleData.length) return t.doubleData.slice(0, count);
  if (t.uint64Data.length) return t.uint64Data.slice(0, count).map(Number);
  return count === 0 ? [] : undefined;
}

export function tensorDims(t: TensorProto): number[] {
  return t.dims.map((d) => Math.max(0, Number(d)));
}

/** Attribute strings are ASCII in practice (equations, modes); other bytes become '?'. */
export function asciiText(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b < 128 ? String.fromCharCode(b) : '?';
  return out;
}

export function attr(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}
export function attrInt(node: NodeProto, name: string, dflt: number): number {
  const a = attr(node, name);
  return a ? Number(a.i) : dflt;
}
export function attrInts(node: NodeProto, name: string): number[] | undefined {
  const a = attr(node, name);
  return a ? a.ints.map(Number) : undefined;
}
export function attrFloat(node: NodeProto, name: string, dflt: number): number {
  const a = attr(node, name);
  return a ? a.f : dflt;
}
export function attrString(node: NodeProto, name: string): string | undefined {
  const a = attr(node, name);
  return a ? asciiText(a.s) : undefined;
}

/** Value, shape and dtype of a Constant node's output. */
export function constantNodeValue(node: NodeProto): { values?: number[]; shape: number[]; dtype: DType } {
  const a = node.attribute[0];
  if (!a) return { values: [], shape: [0], dtype: 'f32' };
  switch (a.name) {
    case 'value': return a.t ? { values: tensorValues(a.t), shape: tensorDims(a.t), dtype: onnxDtype(a.t.dataType) }
      : { shape: [], dtype: 'f32' };
    case 'value_int': return { values: [Number(a.i)], shape: [], dtype: 'i64' };
    case 'value_ints': return { values: a.ints.map(Number), shape: [a.ints.length], dtype: 'i64' };
    case 'value_float': return { values: [a.f], shape: [], dtype: 'f32' };
    case 'value_floats': return { values: [...a.floats], shape: [a.floats.length], dtype: 'f32' };
    default: return { shape: [], dtype: 'f32' };
  }
}
