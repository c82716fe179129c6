/**
 * Shape inference and constant folding for ONNX nodes: enough to size every op when value_info is missing or
 * symbolic, and to evaluate the small integer subgraphs (Shape -> Gather -> Concat -> Reshape) exporters emit.
 */
import type { NodeProto } from 'onnx-buf';
import type { DType } from '../ir/types.ts';
import { attr, attrInt, attrInts, attrString, constantNodeValue, MAX_FOLD_ELEMENTS, onnxDtype } from './onnxValues.ts';

/** What we know about one ONNX value. */
export interface Val {
  shape?: number[];
  dtype: DType;
  /** Element values, for small constant tensors only. */
  values?: number[];
}

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

export function broadcastShapes(shapes: readonly (readonly number[] | undefined)[]): number[] | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const rank = Math.max(0, ...shapes.map((s) => s!.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s![s!.length - rank + i] ?? 1;
      if (v !== 1) d = v;
    }
    out.push(d);
  }
  return out;
}

function sliceBounds(dim: number, start: number, end: number, step: number): number {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) { s = clamp(s, 0, dim); e = clamp(e, 0, dim); return Math.max(0, Math.ceil((e - s) / step)); }
  s = clamp(s, -1, dim - 1); e = clamp(e, -1, dim - 1);
  return Math.max(0, Math.ceil((e - s) / step));
}

/** Target of a Reshape: 0 copies the input dim (unless allowzero), -1 takes what is left. */
export function reshapeTarget(input: readonly number[] | undefined, target: readonly number[], allowZero: boolean): number[] | undefined {
  const out = target.map((d, i) => (d === 0 && !allowZero ? input?.[i] ?? -2 : d));
  if (out.includes(-2)) return undefined;
  const minus = out.indexOf(-1);
  if (minus >= 0) {
    if (!input) return undefined;
    const known = prod(out.filter((_, i) => i !== minus));
    out[minus] = known === 0 ? 0 : Math.floor(prod(input) / known);
  }
  return out.every((d) => Number.isFinite(d) && d >= 0) ? out : undefined;
}

function axesInput(node: NodeProto, ins: readonly Val[], index: number): number[] | undefined {
  return attrInts(node, 'axes') ?? ins[index]?.values;
}

/** Output shapes of a node (undefined where not inferable). */
export function inferShapes(node: NodeProto, ins: readonly Val[]): (number[] | undefined)[] {
  const s0 = ins[0]?.shape;
  const r0 = s0?.length ?? 0;
  switch (node.opType) {
    case 'MatMul': case 'MatMulInteger': {
      const a = s0, b = ins[1]?.shape;
      if (!a || !b || a.length === 0 || b.length === 0) return [undefined];
      const a2 = a.length === 1 ? [1, a[0]!] : a, b2 = b.length === 1 ? [b[0]!, 1] : b;
      const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)])!;
      const out = [...batch, a2[a2.length - 2]!, b2[b2.length - 1]!];
      if (a.length === 1) out.splice(out.length - 2, 1);
      if (b.length === 1) out.pop();
      return [out];
    }
    case 'Gemm': {
      const a = s0, b = ins[1]?.shape;
      if (!a || !b || a.length !== 2 || b.length !== 2) return [undefined];
      const m = attrInt(node, 'transA', 0) ? a[1]! : a[0]!;
      const n = attrInt(node, 'transB', 0) ? b[0]! : b[1]!;
      return [[m, n]];
    }
    case 'Conv': case 'MaxPool': case 'AveragePool': case 'LpPool': {
      const w = ins[1]?.shape;
      if (!s0 || s0.length < 3) return [undefined];
      const spatial = s0.length - 2;
      const kernel = attrInts(node, 'kernel_shape') ?? (node.opType === 'Conv' ? w?.slice(2) : undefined);
      if (!kernel || kernel.length !== spatial) return [undefined];
      const strides = attrInts(node, 'strides') ?? kernel.map(() => 1);
      const dil = attrInts(node, 'dilations') ?? kernel.map(() => 1);
      const pads = attrInts(node, 'pads') ?? kernel.map(() => 0).concat(kernel.map(() => 0));
      const autoPad = attrString(node, 'auto_pad') ?? 'NOTSET';
      const ceil = attrInt(node, 'ceil_mode', 0) === 1;
      const out = [s0[0]!, node.opType === 'Conv' ? w?.[0] ?? s0[1]! : s0[1]!];
      for (let i = 0; i < spatial; i++) {
        const inD = s0[i + 2]!, st = strides[i] ?? 1, k = ((kernel[i]! - 1) * (dil[i] ?? 1)) + 1;
        if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') out.push(Math.ceil(inD / st));
        else {
          const span = inD + (pads[i] ?? 0) + (pads[i + spatial] ?? 0) - k;
          out.push(Math.max(0, (ceil ? Math.ceil(span / st) : Math.floor(span / st)) + 1));
        }
      }
      return [out];
    }
    case 'GlobalAveragePool': case 'GlobalMaxPool':
      return [s0 ? [...s0.slice(0, 2), ...s0.slice(2).map(() => 1)] : undefined];
    case 'Transpose': {
      if (!s0) return [undefined];
      const perm = attrInts(node, 'perm') ?? s0.map((_, i) => r0 - 1 - i);
      return [perm.map((p) => s0[p] ?? 1)];
    }
    case 'Reshape': {
      const t = ins[1]?.values;
      return [t ? reshapeTarget(s0, t, attrInt(node, 'allowzero', 0) === 1) : undefined];
    }
    case 'Flatten': {
      if (!s0) return [undefined];
      const ax = normAxis(attrInt(node, 'axis', 1), r0);
      return [[prod(s0.slice(0, ax)), prod(s0.slice(ax))]];
    }
    case 'Unsqueeze': {
      const axes = axesInput(node, ins, 1);
      if (!s0 || !axes) return [undefined];
      const rank = r0 + axes.length, out = [...s0], sorted = axes.map((a) => normAxis(a, rank)).sort((a, b) => a - b);
      for (const a of sorted) out.splice(a, 0, 1);
      return [out];
    }
    case 'Squeeze': {
      if (!s0) return [undefined];
      const axes = axesInput(node, ins, 1)?.map((a) => normAxis(a, r0));
      return [s0.filter((d, i) => (axes ? !axes.includes(i) : d !== 1))];
    }
    case 'Concat': {
      if (ins.some((v) => !v?.shape)) return [undefined];
      const ax = normAxis(attrInt(node, 'axis', 0), r0), out = [...s0!];
      out[ax] = ins.reduce((a, v) => a + (v.shape![ax] ?? 0), 0);
      return [out];
    }
    case 'Slice': {
      const starts = ins[1]?.values, ends = ins[2]?.values;
      if (!s0 || !starts || !ends) return [undefined];
      const axes = ins[3]?.values ?? starts.map((_, i) => i), steps = ins[4]?.values ?? starts.map(() => 1);
      const out = [...s0];
      axes.forEach((a, i) => {
        const ax = normAxis(a, r0);
        if (ax >= 0 && ax < r0) out[ax] = sliceBounds(s0[ax]!, starts[i]!, ends[i]!, steps[i] || 1);
      });
      return [out];
    }
    case 'Gather': {
      const idx = ins[1]?.shape;
      if (!s0 || !idx) return [undefined];
      const ax = normAxis(attrInt(node, 'axis', 0), r0);
      return [[...s0.slice(0, ax), ...idx, ...s0.slice(ax + 1)]];
    }
    case 'GatherElements': return [ins[1]?.shape];
    case 'GatherND': {
      const idx = ins[1]?.shape, bd = attrInt(node, 'batch_dims', 0);
      if (!s0 || !idx || idx.length === 0) return [undefined];
      const last = idx[idx.length - 1]!;
      return [[...idx.slice(0, -1), ...s0.slice(bd + last)]];
    }
    case 'Expand': case 'Tile': {
      const t = ins[1]?.values;
      if (!s0 || !t) return [undefined];
      return [node.opType === 'Tile' ? s0.map((d, i) => d * (t[i] ?? 1)) : broadcastShapes([s0, t])];
    }
    case 'ReduceMean': case 'ReduceSum': case 'ReduceMax': case 'ReduceMin': case 'ReduceProd': case 'ReduceL2':
    case 'ReduceL1': case 'ReduceLogSumExp': case 'ReduceSumSquare': case 'ArgMax': case 'ArgMin': {
      if (!s0) return [undefined];
      const isArg = node.opType.startsWith('Arg');
      const axes = (isArg ? [attrInt(node, 'axis', 0)] : axesInput(node, ins, 1))?.map((a) => normAxis(a, r0))
        ?? s0.map((_, i) => i);
      const keep = attrInt(node, 'keepdims', 1) === 1;
      return [keep ? s0.map((d, i) => (axes.includes(i) ? 1 : d)) : s0.filter((_, i) => !axes.includes(i))];
    }
    case 'Split': {
      if (!s0) return node.output.map(() => undefined);
      const ax = normAxis(attrInt(node, 'axis', 0), r0);
      const sizes = attrInts(node, 'split') ?? ins[1]?.values
        ?? node.output.map(() => Math.ceil(s0[ax]! / node.output.length));
      return node.output.map((_, i) => s0.map((d, j) => (j === ax ? sizes[i] ?? 0 : d)));
    }
    case 'Shape': {
      const start = attrInt(node, 'start', 0), end = attrInt(node, 'end', r0);
      return [[sliceBounds(r0, start, end, 1)]];
    }
    case 'Size': return [[]];
    case 'ConstantOfShape': return [ins[0]?.values];
    case 'Range': {
      const [a, b, d] = [ins[0]?.values?.[0], ins[1]?.values?.[0], ins[2]?.values?.[0]];
      return [a !== undefined && b !== undefined && d ? [Math.max(0, Math.ceil((b - a) / d))] : undefined];
    }
    case 'Constant': return [constantNodeValue(node).shape];
    case 'CumSum': case 'Softmax': case 'LogSoftmax': case 'LayerNormalization': case 'BatchNormalization':
    case 'InstanceNormalization': case 'GroupNormalization': case 'RMSNormalization': case 'LRN': case 'Trilu':
      return node.output.map((_, i) => (i === 0 ? s0 : undefined));
    case 'Where': return [broadcastShapes(ins.map((v) => v?.shape))];
    default:
      // Elementwise (unary and broadcasting binary/variadic ops) keep the broadcast shape of their inputs.
      return node.output.map((_, i) => (i === 0 ? broadcastShapes(ins.filter((v) => v).map((v) => v.shape)) : undefined));
  }
}

function outputDtype(node: NodeProto, ins: readonly Val[]): DType {
  switch (node.opType) {
    case 'Shape': case 'Size': case 'NonZero': case 'ArgMax': case 'ArgMin': return 'i64';
    case 'Equal': case 'Less': case 'LessOrEqual': case 'Greater': case 'GreaterOrEqual': case 'Not': case 'And':
    case 'Or': case 'Xor': case 'IsNaN': case 'IsInf': return 'bool';
    case 'Cast': return onnxDtype(attrInt(node, 'to', 1));
    case 'CastLike': return ins[1]?.dtype ?? 'f32';
    case 'Where': return ins[1]?.dtype ?? 'f32';
    case 'ConstantOfShape': { const t = attr(node, 'value')?.t; return t ? onnxDtype(t.dataType) : 'f32'; }
    case 'Constant': return constantNodeValue(node).dtype;
    default: return ins[0]?.dtype ?? 'f32';
  }
}

export function inferDtypes(node: NodeProto, ins: readonly Val[]): DType[] {
  const d = outputDtype(node, ins);
  return node.output.map(() => d);
}

function elementwise(vals: readonly (number[] | undefined)[], fn: (...x: number[]) => number): number[] | undefined {
  if (vals.some((v) => !v)) return undefined;
  const n = Math.max(...vals.map((v) => v!.length));
  if (vals.some((v) => v!.length !== n && v!.length !== 1)) return undefined;
  return Array.from({ length: n }, (_, i) => fn(...vals.map((v) => (v!.length === 1 ? v![0]! : v![i]!))));
}

/** Values of a node's outputs when all its inputs are small known constants; undefined otherwise. */
export function foldValues(node: NodeProto, ins: readonly Val[], outShape: readonly number[] | undefined): number[] | undefined {
  const v = ins.map((x) => x?.values);
  const isInt = (d: DType) => d.startsWith('i') || d === 'u8' || d === 'bool';
  switch (node.opType) {
    case 'Constant': return constantNodeValue(node).values;
    case 'Shape': {
      const s = ins[0]?.shape;
      if (!s) return undefined;
      const start = attrInt(node, 'start', 0), end = attrInt(node, 'end', s.length);
      const n = s.length;
      return s.slice(start < 0 ? start + n : start, end < 0 ? end + n : end);
    }
    case 'Size': return ins[0]?.shape ? [prod(ins[0].shape)] : undefined;
    case 'Identity': case 'Cast': case 'CastLike': case 'Reshape': case 'Unsqueeze': case 'Squeeze': case 'Flatten':
      return v[0];
    case 'Concat': return v.every((x) => x) ? v.flatMap((x) => x!) : undefined;
    case 'Gather': {
      if (!v[0] || !v[1] || (ins[0]?.shape?.length ?? 0) > 1) return undefined;
      const n = v[0].length;
      return v[1].map((i) => v[0]![i < 0 ? i + n : i]!).filter((x) => x !== undefined);
    }
    case 'Slice': {
      if (!v[0] || !v[1] || !v[2] || (ins[0]?.shape?.length ?? 0) > 1) return undefined;
      const n = v[0].length, step = v[4]?.[0] || 1;
      let s = v[1][0]!, e = v[2][0]!;
      s = s < 0 ? Math.max(0, s + n) : Math.min(s, n);
      e = e < 0 ? Math.max(0, e + n) : Math.min(e, n);
      const out: number[] = [];
      if (step > 0) for (let i = s; i < e && out.length < MAX_FOLD_ELEMENTS; i += step) out.push(v[0][i]!);
      return out;
    }
    case 'Add': return elementwise(v, (a, b) => a! + b!);
    case 'Sub': return elementwise(v, (a, b) => a! - b!);
    case 'Mul': return elementwise(v, (a, b) => a! * b!);
    case 'Div': return elementwise(v, (a, b) => (isInt(ins[0]!.dtype) ? Math.trunc(a! / b!) : a! / b!));
    case 'Max': return elementwise(v, (...x) => Math.max(...x));
    case 'Min': return elementwise(v, (...x) => Math.min(...x));
    case 'Neg': return elementwise(v, (a) => -a!);
    case 'Abs': return elementwise(v, (a) => Math.abs(a!));
    case 'Equal': return elementwise(v, (a, b) => Number(a === b));
    case 'Not': return elementwise(v, (a) => Number(!a));
    case 'Where': return elementwise(v, (c, a, b) => (c ? a! : b!));
    case 'Range': {
      const [a, b, d] = [v[0]?.[0], v[1]?.[0], v[2]?.[0]];
      if (a === undefined || b === undefined || !d) return undefined;
      const n = Math.ceil((b - a) / d);
      return n >= 0 && n <= MAX_FOLD_ELEMENTS ? Array.from({ length: n }, (_, i) => a + i * d) : undefined;
    }
    case 'ConstantOfShape': {
      const n = outShape ? prod(outShape) : Infinity;
      const t = attr(node, 'value')?.t;
      return n <= MAX_FOLD_ELEMENTS ? new Array<number>(n).fill(t ? Number(t.int64Data[0] ?? t.floatData[0] ?? 0) : 0) : undefined;
    }
    case 'Expand': {
      const n = outShape ? prod(outShape) : Infinity;
      return v[0]?.length === 1 && n <= MAX_FOLD_ELEMENTS ? new Array<number>(n).fill(v[0][0]!) : undefined;
    }
    default: return undefined;
  }
}
