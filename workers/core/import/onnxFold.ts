/**
 * Constant folding of small ONNX tensors (shape arithmetic: Shape -> Gather/Slice -> Concat -> Reshape, masks'
 * Range/Equal/Where, ConstantOfShape, Expand), per the operator spec: numpy broadcasting, integer division and
 * casts truncating, Slice with negative steps and clamped INT64 bounds. Values are flat row-major arrays.
 */
import type { NodeProto } from 'onnx-buf';
import type { DType } from '../ir/types.ts';
import { attr, attrInt, constantNodeValue, MAX_FOLD_ELEMENTS, onnxDtype, tensorValues } from './onnxValues.ts';
import { broadcastShapes, type Val } from './onnxVal.ts';

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const isInt = (d: DType | undefined) => d !== undefined && (d.startsWith('i') || d === 'u8' || d === 'bool');

/** Row-major strides of `shape` as seen from a broadcast output of rank `rank` (0 where the dim is broadcast). */
function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = out.length - shape.length + i;
    strides[o] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i]!;
  }
  return strides;
}

/** Elementwise fold with numpy broadcasting of the inputs' shapes. */
function broadcastFold(ins: readonly Val[], fn: (...x: number[]) => number): number[] | undefined {
  if (ins.some((v) => !v?.values || !v.shape || v.values.length !== prod(v.shape))) return undefined;
  const out = broadcastShapes(ins.map((v) => v.shape));
  if (!out || prod(out) > MAX_FOLD_ELEMENTS) return undefined;
  const strides = ins.map((v) => broadcastStrides(v.shape!, out));
  const n = prod(out), result: number[] = new Array<number>(n);
  const idx = new Array<number>(out.length).fill(0);
  for (let k = 0; k < n; k++) {
    result[k] = fn(...ins.map((v, j) => {
      let off = 0;
      for (let d = 0; d < out.length; d++) off += idx[d]! * strides[j]![d]!;
      return v.values![off]!;
    }));
    for (let d = out.length - 1; d >= 0; d--) {
      if (++idx[d]! < out[d]!) break;
      idx[d] = 0;
    }
  }
  return result;
}

function castValue(x: number, to: DType): number {
  if (to === 'bool') return Number(x !== 0);
  return isInt(to) ? Math.trunc(x) : x;
}

/** Values along one axis of a small tensor, for Slice/Gather/Concat on rank > 1 (axis 0 or 1-D only). */
function sliceValues(v: readonly number[], n: number, start: number, end: number, step: number): number[] {
  const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);
  let s = start < 0 ? start + n : start, e = end < 0 ? end + n : end;
  const out: number[] = [];
  if (step > 0) {
    s = clamp(s, 0, n); e = clamp(e, 0, n);
    for (let i = s; i < e && out.length < MAX_FOLD_ELEMENTS; i += step) out.push(v[i]!);
  } else if (step < 0) {
    s = clamp(s, -1, n - 1); e = clamp(e, -1, n - 1);
    for (let i = s; i > e && out.length < MAX_FOLD_ELEMENTS; i += step) out.push(v[i]!);
  }
  return out;
}

const BINARY: Readonly<Record<string, (a: number, b: number) => number>> = {
  Add: (a, b) => a + b, Sub: (a, b) => a - b, Mul: (a, b) => a * b, Pow: (a, b) => a ** b,
  Equal: (a, b) => Number(a === b), Less: (a, b) => Number(a < b), LessOrEqual: (a, b) => Number(a <= b),
  Greater: (a, b) => Number(a > b), GreaterOrEqual: (a, b) => Number(a >= b), And: (a, b) => Number(!!a && !!b),
  Or: (a, b) => Number(!!a || !!b), Xor: (a, b) => Number(!!a !== !!b),
};
const UNARY: Readonly<Record<string, (a: number) => number>> = {
  Neg: (a) => -a, Abs: Math.abs, Not: (a) => Number(!a), Sqrt: Math.sqrt, Floor: Math.floor, Ceil: Math.ceil,
  Reciprocal: (a) => 1 / a, Exp: Math.exp, Log: Math.log, Sign: Math.sign, Relu: (a) => Math.max(0, a),
};

/** Values of a node's first output when all its inputs are small known constants; undefined otherwise. */
export function foldValues(node: NodeProto, ins: readonly Val[], outShape: readonly number[] | undefined): number[] | undefined {
  const v = ins.map((x) => x?.values);
  const r0 = ins[0]?.shape?.length ?? 0;
  const op = node.opType;
  if (BINARY[op] && ins.length === 2) return broadcastFold(ins, BINARY[op]!);
  if (UNARY[op] && v[0]) return v[0].map(UNARY[op]!);
  switch (op) {
    case 'Constant': return constantNodeValue(node).values;
    case 'Shape': {
      const s = ins[0]?.shape;
      if (!s) return undefined;
      const n = s.length, norm = (x: number) => Math.min(Math.max(x < 0 ? x + n : x, 0), n);
      return s.slice(norm(attrInt(node, 'start', 0)), norm(attrInt(node, 'end', n)));
    }
    case 'Size': return ins[0]?.shape ? [prod(ins[0].shape)] : undefined;
    case 'Identity': case 'Reshape': case 'Unsqueeze': case 'Squeeze': case 'Flatten': return v[0];
    case 'Cast': { const to = onnxDtype(attrInt(node, 'to', 1)); return v[0]?.map((x) => castValue(x, to)); }
    case 'CastLike': return v[0]?.map((x) => castValue(x, ins[1]?.dtype ?? 'f32'));
    case 'Div': return broadcastFold(ins, (a, b) => (isInt(ins[0]!.dtype) ? Math.trunc(a / b) : a / b));
    case 'Mod': return broadcastFold(ins, attrInt(node, 'fmod', 0) ? (a, b) => a % b : (a, b) => a - b * Math.floor(a / b));
    case 'Max': return ins.length && ins.every((x) => x) ? broadcastFold(ins, (...x) => Math.max(...x)) : undefined;
    case 'Min': return ins.length && ins.every((x) => x) ? broadcastFold(ins, (...x) => Math.min(...x)) : undefined;
    case 'Where': return broadcastFold(ins, (c, a, b) => (c ? a! : b!));
    case 'Concat': {
      const axis = attrInt(node, 'axis', 0);
      return (r0 <= 1 || axis === 0 || axis === -r0) && v.every((x) => x) ? v.flatMap((x) => x!) : undefined;
    }
    case 'Gather': {
      if (!v[0] || !v[1] || r0 !== 1) return undefined;
      const n = v[0].length;
      const out = v[1].map((i) => v[0]![i < 0 ? i + n : i]);
      return out.every((x) => x !== undefined) ? (out as number[]) : undefined;
    }
    case 'Slice': {
      if (!v[0] || !v[1] || !v[2] || r0 !== 1) return undefined;
      const axes = v[3] ?? [0];
      const i = axes.findIndex((a) => a === 0 || a === -1);
      if (i < 0) return v[0];
      return sliceValues(v[0], v[0].length, v[1][i]!, v[2][i]!, v[4]?.[i] || 1);
    }
    case 'Range': {
      const [a, b, d] = [v[0]?.[0], v[1]?.[0], v[2]?.[0]];
      if (a === undefined || b === undefined || !d) return undefined;
      const n = Math.max(0, Math.ceil((b - a) / d));
      return n <= MAX_FOLD_ELEMENTS ? Array.from({ length: n }, (_, i) => a + i * d) : undefined;
    }
    case 'ConstantOfShape': {
      const n = outShape ? prod(outShape) : Infinity;
      const t = attr(node, 'value')?.t;
      const fill = t ? tensorValues(t)?.[0] ?? 0 : 0;
      return n <= MAX_FOLD_ELEMENTS ? new Array<number>(n).fill(fill) : undefined;
    }
    case 'Expand': return outShape && prod(outShape) <= MAX_FOLD_ELEMENTS && ins[0] ? broadcastFold([ins[0], { dtype: 'i64', shape: [...outShape], values: new Array<number>(prod(outShape)).fill(0) }], (a) => a) : undefined;
    case 'ReduceProd': case 'ReduceSum': case 'ReduceMax': case 'ReduceMin': {
      if (!v[0] || r0 !== 1) return undefined;
      const f = { ReduceProd: (a: number, b: number) => a * b, ReduceSum: (a: number, b: number) => a + b, ReduceMax: (a: number, b: number) => Math.max(a, b), ReduceMin: (a: number, b: number) => Math.min(a, b) }[op];
      return v[0].length ? [v[0].reduce(f)] : undefined;
    }
    default: return undefined;
  }
}
