/**
 * ONNX shape inference per the operator spec (opsets 13-23) for the data-movement and elementwise ops (numpy
 * broadcasting, Reshape 0 / -1 / allowzero, Expand, Slice with clamped bounds and negative steps, Split, Gather...);
 * compute ops in onnxShapesNN.ts, constant folding in onnxFold.ts.
 */
import type { NodeProto } from 'onnx-buf';
import type { DType } from '../ir/types.ts';
import { attr, attrInt, attrInts, constantNodeValue, onnxDtype } from './onnxValues.ts';
import { inferNNShapes } from './onnxShapesNN.ts';
import { broadcastShapes, type Val } from './onnxVal.ts';

export { broadcastShapes, type Val };

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

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
  const nn = inferNNShapes(node, ins);
  if (nn) return nn;
  switch (node.opType) {
    case 'CastLike': case 'Identity': case 'Dropout': return node.output.map((_, i) => (i === 0 ? s0 : undefined));
    case 'NonZero': case 'Compress': case 'Unique': return node.output.map(() => undefined);
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
      // Without sizes: equal chunks of ceil(dim / n), the last one smaller (opset 18 num_outputs).
      const n = node.output.length, chunk = Math.ceil(s0[ax]! / n);
      const sizes = attrInts(node, 'split') ?? ins[1]?.values ?? node.output.map((_, i) => Math.max(0, Math.min(chunk, s0[ax]! - i * chunk)));
      return node.output.map((_, i) => s0.map((d, j) => (j === ax ? sizes[i] ?? 0 : d)));
    }
    case 'Shape': {
      const clamp = (x: number) => Math.min(Math.max(x < 0 ? x + r0 : x, 0), r0);
      return [[Math.max(0, clamp(attrInt(node, 'end', r0)) - clamp(attrInt(node, 'start', 0)))]];
    }
    case 'Size': return [[]];
    case 'ConstantOfShape': return [ins[0]?.values];
    case 'Range': {
      const [a, b, d] = [ins[0]?.values?.[0], ins[1]?.values?.[0], ins[2]?.values?.[0]];
      return [a !== undefined && b !== undefined && d ? [Math.max(0, Math.ceil((b - a) / d))] : undefined];
    }
    case 'Constant': return [constantNodeValue(node).shape];
    case 'CumSum': case 'Softmax': case 'LogSoftmax': case 'BatchNormalization':
    case 'InstanceNormalization': case 'GroupNormalization': case 'LRN': case 'Trilu':
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
