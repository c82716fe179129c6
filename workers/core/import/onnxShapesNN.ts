/**
 * ONNX shape inference for the compute and routing ops, per the operator spec (opsets 13-23): MatMul (numpy
 * broadcasting of batch dims, 1-D operands), Gemm, Conv/pools, Einsum (explicit and implicit output, ellipsis),
 * Attention (opset 23, 3-D and 4-D, GQA), com.microsoft attention/norm/rotary ops, TopK, Pad, OneHot, Resize.
 */
import type { NodeProto } from 'onnx-buf';
import { attrInt, attrInts, attrString } from './onnxValues.ts';
import { broadcastShapes, type Val } from './onnxVal.ts';

type Out = (number[] | undefined)[];
const norm = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

export function matmulShape(a: readonly number[] | undefined, b: readonly number[] | undefined): number[] | undefined {
  if (!a || !b || a.length === 0 || b.length === 0) return undefined;
  const a2 = a.length === 1 ? [1, a[0]!] : a, b2 = b.length === 1 ? [b[0]!, 1] : b;
  if (a2[a2.length - 1] !== b2[b2.length - 2]) return undefined;
  const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)]);
  if (!batch) return undefined;
  const out = [...batch, a2[a2.length - 2]!, b2[b2.length - 1]!];
  if (a.length === 1) out.splice(out.length - 2, 1);
  if (b.length === 1) out.pop();
  return out;
}

function convShape(node: NodeProto, ins: readonly Val[]): number[] | undefined {
  const s0 = ins[0]?.shape, w = ins[1]?.shape;
  if (!s0 || s0.length < 3) return undefined;
  const spatial = s0.length - 2;
  const kernel = attrInts(node, 'kernel_shape') ?? (node.opType === 'Conv' ? w?.slice(2) : undefined);
  if (!kernel || kernel.length !== spatial) return undefined;
  const strides = attrInts(node, 'strides') ?? kernel.map(() => 1);
  const dil = attrInts(node, 'dilations') ?? kernel.map(() => 1);
  const pads = attrInts(node, 'pads') ?? kernel.map(() => 0).concat(kernel.map(() => 0));
  const autoPad = attrString(node, 'auto_pad') ?? 'NOTSET';
  const ceil = attrInt(node, 'ceil_mode', 0) === 1;
  const out = [s0[0]!, node.opType === 'Conv' ? w?.[0] ?? s0[1]! : s0[1]!];
  for (let i = 0; i < spatial; i++) {
    const inD = s0[i + 2]!, st = strides[i] ?? 1, k = ((kernel[i]! - 1) * (dil[i] ?? 1)) + 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') out.push(Math.ceil(inD / st));
    else if (autoPad === 'VALID') out.push(Math.floor((inD - k) / st) + 1);
    else {
      const span = inD + (pads[i] ?? 0) + (pads[i + spatial] ?? 0) - k;
      out.push(Math.max(0, (ceil ? Math.ceil(span / st) : Math.floor(span / st)) + 1));
    }
  }
  return out;
}

/** Einsum output shape: explicit '->' or implicit (letters seen once, sorted), '...' broadcast across operands. */
export function einsumShape(equation: string, shapes: readonly (readonly number[] | undefined)[]): number[] | undefined {
  const eq = equation.replace(/\s/g, '');
  const [lhs, explicit] = eq.split('->');
  const terms = (lhs ?? '').split(',');
  if (terms.length !== shapes.length || shapes.some((s) => !s)) return undefined;
  const size = new Map<string, number>();
  const count = new Map<string, number>();
  const ellipses: number[][] = [];
  for (let t = 0; t < terms.length; t++) {
    const term = terms[t]!, shape = shapes[t]!;
    const [pre, post] = term.includes('...') ? term.split('...') as [string, string] : [term, undefined];
    const named = pre.length + (post?.length ?? 0);
    const ell = post === undefined ? 0 : shape.length - named;
    if (ell < 0 || (post === undefined && named !== shape.length)) return undefined;
    if (post !== undefined) ellipses.push(shape.slice(pre.length, pre.length + ell));
    const letters = [...pre, ...(post ?? '')];
    letters.forEach((c, i) => {
      const d = shape[i < pre.length ? i : i + ell]!;
      const prev = size.get(c);
      if (prev !== undefined && prev !== d && prev !== 1 && d !== 1) return;
      size.set(c, prev === undefined || prev === 1 ? d : prev);
      count.set(c, (count.get(c) ?? 0) + 1);
    });
  }
  const ellShape = ellipses.length ? broadcastShapes(ellipses) ?? [] : [];
  const outTerm = explicit ?? `${ellipses.length ? '...' : ''}${[...count].filter(([, n]) => n === 1).map(([c]) => c).sort().join('')}`;
  const out: number[] = [];
  const [oPre, oPost] = outTerm.includes('...') ? outTerm.split('...') as [string, string] : [outTerm, undefined];
  for (const c of oPre) { if (!size.has(c)) return undefined; out.push(size.get(c)!); }
  if (oPost !== undefined) {
    out.push(...ellShape);
    for (const c of oPost) { if (!size.has(c)) return undefined; out.push(size.get(c)!); }
  }
  return out;
}

/** opset-23 Attention: Q [B, Hq, Sq, D] or [B, Sq, Hq*D]; V gives the value head size. Outputs Y, present K/V, qk. */
function attentionShapes(node: NodeProto, ins: readonly Val[]): Out {
  const q = ins[0]?.shape, k = ins[1]?.shape, v = ins[2]?.shape;
  if (!q || !k || !v) return node.output.map(() => undefined);
  if (q.length === 4) {
    const y = [q[0]!, q[1]!, q[2]!, v[3]!];
    const past = ins[4]?.shape?.[2] ?? 0;
    const present = (t: readonly number[]) => [t[0]!, t[1]!, t[2]! + past, t[3]!];
    return node.output.map((_, i) => (i === 0 ? y : i === 1 ? present(k) : i === 2 ? present(v) : [q[0]!, q[1]!, q[2]!, k[2]! + past]));
  }
  const qHeads = attrInt(node, 'q_num_heads', 0), kvHeads = attrInt(node, 'kv_num_heads', 0);
  if (q.length !== 3 || !qHeads || !kvHeads) return node.output.map(() => undefined);
  const vHead = v[2]! / kvHeads;
  return node.output.map((_, i) => (i === 0 ? [q[0]!, q[1]!, qHeads * vHead] : undefined));
}

/** Shapes of the ops this module knows; undefined when the op is not one of them. */
export function inferNNShapes(node: NodeProto, ins: readonly Val[]): Out | undefined {
  const s0 = ins[0]?.shape;
  const r0 = s0?.length ?? 0;
  switch (node.opType) {
    case 'MatMul': case 'MatMulInteger': case 'FusedMatMul': return [matmulShape(s0, ins[1]?.shape)];
    case 'Gemm': {
      const b = ins[1]?.shape;
      if (!s0 || !b || s0.length !== 2 || b.length !== 2) return [undefined];
      return [[attrInt(node, 'transA', 0) ? s0[1]! : s0[0]!, attrInt(node, 'transB', 0) ? b[0]! : b[1]!]];
    }
    case 'Conv': case 'MaxPool': case 'AveragePool': case 'LpPool': return node.output.map((_, i) => (i === 0 ? convShape(node, ins) : undefined));
    case 'ConvTranspose': {
      const w = ins[1]?.shape;
      if (!s0 || !w || s0.length < 3) return [undefined];
      const explicit = attrInts(node, 'output_shape');
      if (explicit) return [[s0[0]!, w[1]! * attrInt(node, 'group', 1), ...explicit]];
      const sp = s0.length - 2, st = attrInts(node, 'strides') ?? [], pads = attrInts(node, 'pads') ?? [], dil = attrInts(node, 'dilations') ?? [], op = attrInts(node, 'output_padding') ?? [];
      return [[s0[0]!, w[1]! * attrInt(node, 'group', 1), ...Array.from({ length: sp }, (_, i) => (st[i] ?? 1) * (s0[i + 2]! - 1) + (op[i] ?? 0) + ((w[i + 2]! - 1) * (dil[i] ?? 1) + 1) - (pads[i] ?? 0) - (pads[i + sp] ?? 0))]];
    }
    case 'GlobalAveragePool': case 'GlobalMaxPool': return [s0 ? [...s0.slice(0, 2), ...s0.slice(2).map(() => 1)] : undefined];
    case 'Einsum': return [einsumShape(attrString(node, 'equation') ?? '', ins.map((v) => v?.shape))];
    case 'Attention': return node.domain === 'com.microsoft' ? [s0 && ins[1]?.shape ? [...s0.slice(0, -1), ins[1].shape[1]! / 3] : undefined] : attentionShapes(node, ins);
    case 'MultiHeadAttention': case 'GroupQueryAttention': return node.output.map((_, i) => (i === 0 ? s0 : undefined));
    case 'LayerNormalization': case 'SimplifiedLayerNormalization': case 'RMSNormalization': {
      if (!s0) return node.output.map(() => undefined);
      const axis = norm(attrInt(node, 'axis', -1), r0);
      const stat = s0.map((d, i) => (i < axis ? d : 1));
      return node.output.map((_, i) => (i === 0 ? s0 : stat));
    }
    case 'SkipLayerNormalization': case 'SkipSimplifiedLayerNormalization': return node.output.map((_, i) => (i === 0 || i === 3 ? s0 : undefined));
    case 'RotaryEmbedding': return [s0];
    case 'TopK': {
      const k = ins[1]?.values?.[0];
      if (!s0 || k === undefined) return [undefined, undefined];
      const ax = norm(attrInt(node, 'axis', -1), r0);
      const out = s0.map((d, i) => (i === ax ? k : d));
      return [out, [...out]];
    }
    case 'Pad': {
      const pads = ins[1]?.values ?? attrInts(node, 'pads');
      if (!s0 || !pads) return [undefined];
      const axes = ins[3]?.values?.map((a) => norm(a, r0)) ?? s0.map((_, i) => i);
      const out = [...s0];
      axes.forEach((a, i) => { out[a] = out[a]! + pads[i]! + pads[i + axes.length]!; });
      return [out];
    }
    case 'OneHot': {
      const depth = ins[1]?.values?.[0];
      if (!s0 || depth === undefined) return [undefined];
      const out = [...s0];
      out.splice(norm(attrInt(node, 'axis', -1), r0 + 1), 0, depth);
      return [out];
    }
    case 'Resize': case 'Upsample': {
      const sizes = ins[3]?.values, scales = ins[2]?.values ?? (node.opType === 'Upsample' ? ins[1]?.values : undefined);
      if (!s0) return [undefined];
      if (sizes && sizes.length === r0) return [[...sizes]];
      return [scales && scales.length === r0 ? s0.map((d, i) => Math.floor(d * scales[i]!)) : undefined];
    }
    case 'ScatterND': case 'ScatterElements': case 'Scatter': return [s0];
    case 'DepthToSpace': case 'SpaceToDepth': {
      const b = attrInt(node, 'blocksize', 1);
      if (!s0 || s0.length !== 4) return [undefined];
      return [node.opType === 'DepthToSpace' ? [s0[0]!, s0[1]! / (b * b), s0[2]! * b, s0[3]! * b] : [s0[0]!, s0[1]! * b * b, s0[2]! / b, s0[3]! / b]];
    }
    default: return undefined;
  }
}
