/** ONNX operator -> IR op kind, attributes and FLOPs (a multiply-add counts 2). */
import type { NodeProto } from 'onnx-buf';
import type { DotAttrs, OpAttrs, OpKind } from '../ir/types.ts';
import { numel } from './assemble.ts';
import { attrInt, attrInts, attrString } from './onnxValues.ts';
import { broadcastShapes } from './onnxShapes.ts';

export interface MappedOp {
  kind: OpKind;
  attrs: OpAttrs;
  flops: number;
}

type Shape = readonly number[];

/** Approximate FLOPs per output element of elementwise ops (transcendentals cost a few). */
const ELEMENTWISE_FLOPS: Readonly<Record<string, number>> = {
  Add: 1, Sub: 1, Mul: 1, Div: 1, Pow: 1, Sqrt: 1, Reciprocal: 1, Neg: 1, Abs: 1, Max: 1, Min: 1, Mod: 1, Sum: 1,
  Mean: 1, Relu: 1, LeakyRelu: 2, PRelu: 2, Clip: 2, Exp: 4, Log: 4, Tanh: 4, Sigmoid: 4, Erf: 4, Gelu: 8,
  FastGelu: 8, BiasGelu: 8, QuickGelu: 4, Softplus: 4, Softsign: 2, Elu: 4, Selu: 4, Celu: 4, HardSigmoid: 2,
  HardSwish: 3, Mish: 6, Swish: 5, Silu: 5, Sin: 4, Cos: 4, Tan: 4, Asin: 4, Acos: 4, Atan: 4, Sinh: 4, Cosh: 4,
  Floor: 1, Ceil: 1, Round: 1, Sign: 1, Where: 1, Equal: 1, Less: 1, LessOrEqual: 1, Greater: 1,
  GreaterOrEqual: 1, And: 1, Or: 1, Xor: 1, Not: 1, IsNaN: 1, IsInf: 1, BitShift: 1, Cast: 0, CastLike: 0,
  CumSum: 1, Trilu: 0, Range: 0, ConstantOfShape: 0, Pad: 0, Dropout: 0, Bernoulli: 2, RandomNormalLike: 2,
  RandomUniformLike: 2, EyeLike: 0, OneHot: 0, NonZero: 1, Einsum: 0, Mod2: 1, BiasAdd: 1, ThresholdedRelu: 1,
  Shrink: 1, Hardmax: 2, DequantizeLinear: 2, QuantizeLinear: 2,
};

const REDUCE_OPS: Readonly<Record<string, 'sum' | 'max' | 'min' | 'mean' | 'other'>> = {
  ReduceSum: 'sum', ReduceMean: 'mean', ReduceMax: 'max', ReduceMin: 'min', ReduceProd: 'other', ReduceL1: 'sum',
  ReduceL2: 'sum', ReduceLogSum: 'sum', ReduceLogSumExp: 'sum', ReduceSumSquare: 'sum', ArgMax: 'max',
  ArgMin: 'min', TopK: 'max',
};

const RESHAPE_OPS = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'SpaceToDepth', 'DepthToSpace']);
const SLICE_OPS = new Set(['Slice', 'Split', 'SplitToSequence']);
const NORM_OPS = new Set(['LayerNormalization', 'SimplifiedLayerNormalization', 'SkipLayerNormalization',
  'SkipSimplifiedLayerNormalization', 'RMSNormalization', 'GroupNormalization', 'InstanceNormalization', 'LpNormalization']);

/** a, a+1, ..., b-1 (at most 64 entries: ranks and axes, never sizes). */
const range = (a: number, b: number): number[] => Array.from({ length: Math.min(64, Math.max(0, b - a)) || 0 }, (_, i) => a + i);
const norm = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** [low, high] padding per spatial dim from 'pads' or auto_pad SAME_*. */
function padding(node: NodeProto, input: Shape, kernel: Shape, strides: readonly number[] | undefined, dilations: readonly number[] | undefined): [number, number][] {
  const n = kernel.length;
  const autoPad = attrString(node, 'auto_pad') ?? 'NOTSET';
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    return range(0, n).map((i) => {
      const st = strides?.[i] ?? 1, k = ((kernel[i] ?? 1) - 1) * (dilations?.[i] ?? 1) + 1, inD = input[i] ?? 1;
      const total = Math.max(0, (Math.ceil(inD / st) - 1) * st + k - inD);
      const small = Math.floor(total / 2);
      return autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
    });
  }
  const pads = attrInts(node, 'pads') ?? [];
  return range(0, n).map((i) => [pads[i] ?? 0, pads[i + n] ?? 0]);
}

/** MatMul with numpy semantics as dot_general dimension numbers (batch dims only where both have them). */
function matmulAttrs(a: Shape, b: Shape): DotAttrs {
  const ra = a.length, rb = b.length;
  if (rb <= 2) return { kind: 'dot', lhsBatch: [], rhsBatch: [], lhsContract: [ra - 1], rhsContract: [0] };
  const shared = Math.min(ra, rb) - 2;
  return {
    kind: 'dot',
    lhsBatch: range(ra - 2 - shared, ra - 2),
    rhsBatch: range(rb - 2 - shared, rb - 2),
    lhsContract: [ra - 1],
    rhsContract: [rb - 2],
  };
}

/** Einsum 'bik,bkj->bij' (two operands) as dot_general dimension numbers and FLOPs. */
function einsum(eq: string, a: Shape, b: Shape | undefined, out: Shape): MappedOp | undefined {
  const [lhs, outSpec] = eq.replace(/\s/g, '').split('->');
  const [ia, ib] = (lhs ?? '').split(',');
  if (!ia || ib === undefined || !b || outSpec === undefined || ia.includes('.') || ib.includes('.')) return undefined;
  const size = new Map<string, number>();
  [...ia].forEach((c, i) => size.set(c, a[i] ?? 1));
  [...ib].forEach((c, i) => size.set(c, b[i] ?? 1));
  const batch = [...ia].filter((c) => ib.includes(c) && outSpec.includes(c));
  const contract = [...ia].filter((c) => ib.includes(c) && !outSpec.includes(c));
  let flops = 2;
  for (const v of size.values()) flops *= v;
  return {
    kind: 'dot',
    attrs: {
      kind: 'dot', lhsBatch: batch.map((c) => ia.indexOf(c)), rhsBatch: batch.map((c) => ib.indexOf(c)),
      lhsContract: contract.map((c) => ia.indexOf(c)), rhsContract: contract.map((c) => ib.indexOf(c)),
    },
    flops: contract.length ? flops : numel(out),
  };
}

/** Maps one ONNX node given its input and output shapes; undefined for ops we do not know. */
export function mapOnnxNode(node: NodeProto, ins: readonly (Shape | undefined)[], outs: readonly Shape[]): MappedOp | undefined {
  const op = node.opType;
  const a = ins[0] ?? [], out = outs[0] ?? [];
  const outN = numel(out);
  if (op === 'MatMul' || op === 'MatMulInteger' || op === 'FusedMatMul') {
    const b = ins[1] ?? [];
    const k = a[a.length - 1] ?? 1;
    return { kind: 'dot', attrs: matmulAttrs(a, b), flops: 2 * outN * k };
  }
  if (op === 'Gemm') {
    const transA = attrInt(node, 'transA', 0) === 1, transB = attrInt(node, 'transB', 0) === 1;
    const k = transA ? a[0] ?? 1 : a[1] ?? 1;
    return {
      kind: 'dot',
      attrs: { kind: 'dot', lhsBatch: [], rhsBatch: [], lhsContract: [transA ? 0 : 1], rhsContract: [transB ? 1 : 0] },
      flops: 2 * outN * k + (ins[2] ? outN : 0),
    };
  }
  if (op === 'Einsum') {
    const m = einsum(attrString(node, 'equation') ?? '', a, ins[1], out);
    return m ?? { kind: 'elementwise', attrs: { kind: 'elementwise', fn: 'einsum' }, flops: outN };
  }
  if (op === 'Conv' || op === 'ConvTranspose' || op === 'ConvInteger') {
    const w = ins[1] ?? [];
    const spatial = Math.max(0, a.length - 2);
    const group = attrInt(node, 'group', 1);
    const kernelVolume = numel(w.slice(2));
    const perOut = op === 'ConvTranspose' ? 0 : (w[1] ?? 1) * kernelVolume;
    const flops = op === 'ConvTranspose' ? 2 * numel(a) * (w[1] ?? 1) * kernelVolume : 2 * outN * perOut;
    return {
      kind: 'conv',
      attrs: {
        kind: 'conv', inputBatchDim: 0, inputFeatureDim: 1, inputSpatialDims: range(2, 2 + spatial),
        kernelOutputFeatureDim: 0, kernelInputFeatureDim: 1, kernelSpatialDims: range(2, 2 + spatial),
        outputBatchDim: 0, outputFeatureDim: 1, outputSpatialDims: range(2, 2 + spatial), featureGroupCount: group,
        strides: attrInts(node, 'strides') ?? range(0, spatial).map(() => 1),
        padding: padding(node, a.slice(2), w.slice(2), attrInts(node, 'strides'), attrInts(node, 'dilations')),
        ...(attrInts(node, 'dilations') ? { dilations: attrInts(node, 'dilations')! } : {}),
      },
      flops: flops + (ins[2] ? outN : 0),
    };
  }
  if (op === 'Attention' || op === 'MultiHeadAttention') {
    // Fused attention: Q.K^T and P.V over [batch, heads, seq_q, seq_kv] (or [batch, seq, hidden] packed heads).
    const k = ins[1] ?? a, sq = a[a.length - 2] ?? 1, skv = k[k.length - 2] ?? 1, d = a[a.length - 1] ?? 1;
    const batch = numel(a.slice(0, -2));
    return {
      kind: 'dot',
      attrs: { kind: 'dot', lhsBatch: range(0, a.length - 2), rhsBatch: range(0, a.length - 2), lhsContract: [a.length - 1], rhsContract: [a.length - 1] },
      flops: 4 * batch * sq * skv * d + 5 * batch * sq * skv,
    };
  }
  if (NORM_OPS.has(op)) {
    const axis = norm(attrInt(node, 'axis', -1), a.length);
    return { kind: 'layernorm', attrs: { kind: 'norm', axes: range(axis, a.length), rms: op.includes('Simplified') || op.startsWith('RMS') }, flops: 8 * outN };
  }
  if (op === 'BatchNormalization') return { kind: 'batchnorm', attrs: { kind: 'norm', axes: [0, ...range(2, a.length)] }, flops: 2 * outN };
  if (op === 'Softmax' || op === 'LogSoftmax') {
    return { kind: 'softmax', attrs: { kind: 'axis', axis: norm(attrInt(node, 'axis', -1), a.length) }, flops: 5 * outN };
  }
  if (op === 'MaxPool' || op === 'AveragePool' || op === 'LpPool') {
    const kernel = attrInts(node, 'kernel_shape') ?? [];
    const strides = attrInts(node, 'strides') ?? kernel.map(() => 1);
    const lead = a.slice(0, Math.max(0, a.length - kernel.length)).map(() => 1);
    return {
      kind: 'pool',
      attrs: {
        kind: 'pool', window: [...lead, ...kernel], strides: [...lead, ...strides], fn: op === 'MaxPool' ? 'max' : 'avg',
        padding: [...lead.map((): [number, number] => [0, 0]), ...padding(node, a.slice(lead.length), kernel, strides, attrInts(node, 'dilations'))],
      },
      flops: outN * numel(kernel),
    };
  }
  if (op === 'GlobalAveragePool' || op === 'GlobalMaxPool') {
    return { kind: 'pool', attrs: { kind: 'pool', window: [1, 1, ...a.slice(2)], strides: a.map(() => 1), fn: op === 'GlobalMaxPool' ? 'max' : 'avg' }, flops: numel(a) };
  }
  const reducer = REDUCE_OPS[op];
  if (reducer) {
    const axes = (attrInts(node, 'axes') ?? [attrInt(node, 'axis', 0)]).map((x) => norm(x, a.length));
    return { kind: 'reduce', attrs: { kind: 'reduce', dims: axes, reducer }, flops: numel(a) };
  }
  if (op === 'Gather' || op === 'GatherElements' || op === 'GatherND') {
    return { kind: 'gather', attrs: { kind: 'gather', axis: norm(attrInt(node, 'axis', 0), a.length) }, flops: 0 };
  }
  if (op === 'ScatterND' || op === 'ScatterElements' || op === 'Scatter') return { kind: 'scatter', attrs: { kind: 'none' }, flops: numel(ins[2] ?? []) };
  if (RESHAPE_OPS.has(op)) return { kind: 'reshape', attrs: { kind: 'none' }, flops: 0 };
  if (op === 'Transpose') {
    return { kind: 'transpose', attrs: { kind: 'transpose', perm: attrInts(node, 'perm') ?? range(0, a.length).reverse() }, flops: 0 };
  }
  if (SLICE_OPS.has(op)) return { kind: 'slice', attrs: { kind: 'none' }, flops: 0 };
  if (op === 'Concat' || op === 'ConcatFromSequence') {
    return { kind: 'concatenate', attrs: { kind: 'axis', axis: norm(attrInt(node, 'axis', 0), out.length) }, flops: 0 };
  }
  if (op === 'Expand' || op === 'Tile') {
    const offset = out.length - a.length;
    return { kind: 'broadcast', attrs: { kind: 'broadcast', dims: range(offset, out.length) }, flops: 0 };
  }
  const perElement = ELEMENTWISE_FLOPS[op];
  if (perElement !== undefined) {
    const b = broadcastShapes(ins.filter((x): x is Shape => x !== undefined));
    const fits = b !== undefined && broadcastShapes([b, out])?.join() === out.join();
    // Pad, OneHot, NonZero ... change shapes: counted as data movement, not as elementwise math.
    return fits ? { kind: 'elementwise', attrs: { kind: 'elementwise', fn: op }, flops: perElement * outN }
      : { kind: 'slice', attrs: { kind: 'none' }, flops: perElement * outN };
  }
  return undefined;
}
