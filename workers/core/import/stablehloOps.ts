/** StableHLO / CHLO op -> IR op kind, attributes and FLOPs (a multiply-add counts 2). */
import type { DType, OpAttrs, OpKind } from '../ir/types.ts';
import { numel } from './assemble.ts';
import type { Stmt } from './mlirParse.ts';

export interface HloMapped { kind: OpKind; attrs: OpAttrs; flops: number }
type Shape = readonly number[];

export const ELEMENTWISE: Readonly<Record<string, number>> = {
  add: 1, subtract: 1, multiply: 1, divide: 1, maximum: 1, minimum: 1, power: 1, remainder: 1, negate: 1, abs: 1,
  sqrt: 1, rsqrt: 1, cbrt: 2, exponential: 4, exponential_minus_one: 4, log: 4, log_plus_one: 4, logistic: 4, tanh: 4,
  sine: 4, cosine: 4, tan: 4, atan2: 4, erf: 4, erf_inv: 4, floor: 1, ceil: 1, round_nearest_afz: 1,
  round_nearest_even: 1, sign: 1, convert: 0, bitcast_convert: 0, select: 1, compare: 1, and: 1, or: 1, xor: 1,
  not: 1, clamp: 2, is_finite: 1, shift_left: 1, shift_right_arithmetic: 1, shift_right_logical: 1, popcnt: 1,
  count_leading_zeros: 1, real: 0, imag: 0, complex: 0, pad: 0, reverse: 0, rng: 2, rng_bit_generator: 2,
  optimization_barrier: 0, reduce_precision: 1, next_after: 1, polygamma: 8, lgamma: 8, digamma: 8, asin: 4,
  acos: 4, atan: 4, sinh: 4, cosh: 4, asinh: 4, acosh: 4, atanh: 4, bessel_i1e: 8, square: 1, is_inf: 1,
  is_neg_inf: 1, is_pos_inf: 1, broadcast_add: 1, broadcast_subtract: 1, broadcast_multiply: 1,
  broadcast_divide: 1, broadcast_maximum: 1, broadcast_minimum: 1, broadcast_compare: 1, broadcast_select: 1,
  broadcast_and: 1, broadcast_or: 1, broadcast_power: 1, uniform_quantize: 2, uniform_dequantize: 2,
  dynamic_update_slice: 0, scan: 1, cumsum: 1, cumprod: 1,
};

const nums = (s: string | undefined): number[] => (s ? [...s.matchAll(/-?\d+/g)].map((m) => Number(m[0])) : []);
const listAfter = (text: string, key: string): number[] | undefined => {
  const m = new RegExp(`${key}\\s*=\\s*(?:array<i64:?)?\\s*\\[?([^\\]>]*)[\\]>]`).exec(text);
  return m ? nums(m[1]) : undefined;
};
/** a, a+1, ..., b-1 (at most 64 entries: ranks and axes, never sizes). */
const range = (a: number, b: number): number[] => Array.from({ length: Math.min(64, Math.max(0, b - a)) || 0 }, (_, i) => a + i);

function dotGeneral(text: string, lhs: Shape, out: Shape): HloMapped {
  const pair = (key: string): [number[], number[]] => {
    const m = new RegExp(`${key}\\s*=\\s*\\[([^\\]]*)\\]\\s*x\\s*\\[([^\\]]*)\\]`).exec(text);
    if (m) return [nums(m[1]), nums(m[2])];
    const generic = key.replace('_dims', '');
    return [listAfter(text, `lhs_${generic}_dimensions`) ?? [], listAfter(text, `rhs_${generic}_dimensions`) ?? []];
  };
  const [lb, rb] = pair('batching_dims');
  const [lc, rc] = pair('contracting_dims');
  const k = lc.reduce((a, d) => a * (lhs[d] ?? 1), 1);
  return { kind: 'dot', attrs: { kind: 'dot', lhsBatch: lb, rhsBatch: rb, lhsContract: lc, rhsContract: rc }, flops: 2 * numel(out) * k };
}

/** `dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]` plus feature_group_count and window strides. */
function convolution(text: string, lhs: Shape, rhs: Shape, out: Shape): HloMapped {
  const m = /dim_numbers\s*=\s*\[([^\]]*)\]\s*x\s*\[([^\]]*)\]\s*->\s*\[([^\]]*)\]/.exec(text);
  const parse = (s: string | undefined, a: string, b: string) => {
    const items = (s ?? '').split(',').map((x) => x.trim());
    const spatial = items.map((x, i) => [x, i] as const).filter(([x]) => /^\d+$/.test(x)).sort((p, q) => Number(p[0]) - Number(q[0])).map(([, i]) => i);
    return { a: items.indexOf(a), b: items.indexOf(b), spatial };
  };
  const inp = parse(m?.[1], 'b', 'f'), ker = parse(m?.[2], 'o', 'i'), outp = parse(m?.[3], 'b', 'f');
  const rank = lhs.length;
  const groups = nums(/feature_group_count\s*=\s*(\d+)/.exec(text)?.[1])[0] ?? 1;
  const strides = /stride\s*=\s*\[([^\]]*)\]/.exec(text);
  const kIn = ker.b >= 0 ? rhs[ker.b] ?? 1 : rhs[rank - 2] ?? 1;
  const kSpatial = (ker.spatial.length ? ker.spatial : range(0, rank - 2)).reduce((a, d) => a * (rhs[d] ?? 1), 1);
  const inSpatial = inp.spatial.length ? inp.spatial : range(1, rank - 1);
  let padding = pairs(/pad\s*=\s*\[((?:\s*\[[^\]]*\]\s*,?)*)\]/.exec(text)?.[1], rank - 2);
  // Input dilation (the backward-input convolution of a strided one): as padding of the zeros it inserts, so the IR's
  // shape rule holds; its FLOPs skip those zeros.
  const lhsDilate = nums(/lhs_dilate\s*=\s*\[([^\]]*)\]/.exec(text)?.[1]);
  if (lhsDilate.some((d) => d > 1)) padding = padding.map(([lo, hi], i) => [lo, hi + ((lhs[inSpatial[i]!] ?? 1) - 1) * ((lhsDilate[i] ?? 1) - 1)]);
  const skipped = lhsDilate.reduce((a, d) => a * Math.max(1, d), 1);
  return {
    kind: 'conv',
    attrs: {
      kind: 'conv', inputBatchDim: Math.max(0, inp.a), inputFeatureDim: inp.b >= 0 ? inp.b : rank - 1,
      inputSpatialDims: inSpatial,
      kernelOutputFeatureDim: ker.a >= 0 ? ker.a : rank - 1, kernelInputFeatureDim: ker.b >= 0 ? ker.b : rank - 2,
      kernelSpatialDims: ker.spatial.length ? ker.spatial : range(0, rank - 2),
      outputBatchDim: Math.max(0, outp.a), outputFeatureDim: outp.b >= 0 ? outp.b : rank - 1,
      outputSpatialDims: outp.spatial.length ? outp.spatial : range(1, rank - 1), featureGroupCount: groups,
      strides: strides ? nums(strides[1]) : range(0, rank - 2).map(() => 1),
      padding,
      ...(/rhs_dilate\s*=\s*\[([^\]]*)\]/.exec(text) ? { dilations: nums(/rhs_dilate\s*=\s*\[([^\]]*)\]/.exec(text)![1]) } : {}),
    },
    flops: (2 * numel(out) * kIn * kSpatial) / skipped,
  };
}

/** '[1, 1], [2, 2]' -> [[1, 1], [2, 2]], zero pairs where absent. */
function pairs(text: string | undefined, n: number): [number, number][] {
  const v = nums(text);
  return range(0, n).map((i) => [v[2 * i] ?? 0, v[2 * i + 1] ?? 0]);
}

function reducer(stmt: Stmt): 'sum' | 'max' | 'min' | 'other' {
  const name = /applies\s+(\S+)/.exec(stmt.text)?.[1] ?? stmt.regions[0]?.body[0]?.op ?? '';
  return name.endsWith('add') ? 'sum' : name.endsWith('maximum') ? 'max' : name.endsWith('minimum') ? 'min' : 'other';
}

/** The IR op for one statement, or undefined for ops we do not know. */
export function mapHloOp(stmt: Stmt, ins: readonly Shape[], outs: readonly Shape[], inDtypes: readonly DType[]): HloMapped | undefined {
  const name = stmt.op.replace(/^(stablehlo|mhlo|chlo)\./, '');
  const a = ins[0] ?? [], out = outs[0] ?? [];
  const outN = outs.reduce((s, o) => s + numel(o), 0);
  switch (name) {
    case 'dot_general': return dotGeneral(stmt.text, a, out);
    case 'dot': {
      const k = a[a.length - 1] ?? 1;
      return { kind: 'dot', attrs: { kind: 'dot', lhsBatch: [], rhsBatch: [], lhsContract: [Math.max(0, a.length - 1)], rhsContract: [0] }, flops: 2 * numel(out) * k };
    }
    case 'einsum': return { kind: 'dot', attrs: { kind: 'dot', lhsBatch: [], rhsBatch: [], lhsContract: [], rhsContract: [] }, flops: 2 * numel(out) * (a[a.length - 1] ?? 1) };
    case 'convolution': return convolution(stmt.text, a, ins[1] ?? [], out);
    case 'reduce': case 'reduce_window': case 'argmax': case 'top_k': case 'sort': case 'select_and_scatter': {
      if (name === 'reduce_window' || name === 'select_and_scatter') {
        const windowDims = listAfter(stmt.text, 'window_dimensions') ?? [];
        const pad = /padding\s*=\s*dense<([^>]*)>/.exec(stmt.text)?.[1];
        return {
          kind: 'pool',
          attrs: { kind: 'pool', window: windowDims, strides: listAfter(stmt.text, 'window_strides') ?? windowDims.map(() => 1), fn: reducer(stmt) === 'max' ? 'max' : 'avg', padding: pairs(pad, windowDims.length) },
          flops: numel(out) * Math.max(1, numel(windowDims)),
        };
      }
      const dims = listAfter(stmt.text, 'dimensions') ?? (name === 'top_k' || name === 'sort' ? [a.length - 1] : []);
      const red = name === 'top_k' ? 'max' : name === 'sort' ? 'other' : reducer(stmt);
      const flops = name === 'sort' ? numel(a) * Math.ceil(Math.log2(Math.max(2, a[a.length - 1] ?? 2))) : ins.slice(0, Math.max(1, ins.length / 2)).reduce((s, x) => s + numel(x), 0);
      return { kind: 'reduce', attrs: { kind: 'reduce', dims, reducer: red }, flops };
    }
    case 'broadcast_in_dim': case 'broadcast': case 'dynamic_broadcast_in_dim':
      return { kind: 'broadcast', attrs: { kind: 'broadcast', dims: listAfter(stmt.text, 'dims') ?? listAfter(stmt.text, 'broadcast_dimensions') ?? range(out.length - a.length, out.length) }, flops: 0 };
    case 'reshape': case 'dynamic_reshape': case 'bitcast': case 'get_tuple_element': case 'tuple':
      return { kind: 'reshape', attrs: { kind: 'none' }, flops: 0 };
    case 'transpose': return { kind: 'transpose', attrs: { kind: 'transpose', perm: listAfter(stmt.text, 'dims') ?? listAfter(stmt.text, 'permutation') ?? range(0, a.length).reverse() }, flops: 0 };
    case 'slice': case 'dynamic_slice': case 'real_dynamic_slice':
      return { kind: 'slice', attrs: { kind: 'none' }, flops: 0 };
    case 'concatenate': return { kind: 'concatenate', attrs: { kind: 'axis', axis: nums(/dim(?:ension)?\s*=\s*(\d+)/.exec(stmt.text)?.[1])[0] ?? 0 }, flops: 0 };
    case 'gather': case 'dynamic_gather': case 'torch_index_select':
      return { kind: 'gather', attrs: { kind: 'gather', axis: listAfter(stmt.text, 'start_index_map')?.[0] ?? 0 }, flops: 0 };
    case 'scatter': return { kind: 'scatter', attrs: { kind: 'none' }, flops: numel(ins[2] ?? []) };
    case 'iota': case 'constant': return { kind: 'constant', attrs: { kind: 'none' }, flops: 0 };
    case 'custom_call': return undefined;
    case 'all_reduce': case 'all_gather': case 'reduce_scatter': case 'all_to_all': case 'collective_permute': case 'collective_broadcast': {
      // Collectives already in a partitioned program: data movement here (the planner prices its own); an
      // all-reduce adds its operands. A gather grows its output along `dimensions`, a scatter shrinks it.
      const axis = listAfter(stmt.text, 'dimensions')?.[0] ?? listAfter(stmt.text, 'all_gather_dim')?.[0] ?? listAfter(stmt.text, 'scatter_dimension')?.[0] ?? 0;
      const flops = name === 'all_reduce' || name === 'reduce_scatter' ? ins.reduce((s, x) => s + numel(x), 0) : 0;
      if (numel(out) > numel(a)) return { kind: 'concatenate', attrs: { kind: 'axis', axis }, flops };
      if (numel(out) < numel(a)) return { kind: 'slice', attrs: { kind: 'none' }, flops };
      return { kind: 'reshape', attrs: { kind: 'none' }, flops };
    }
    case 'scan': case 'cumsum': case 'cumprod':
      return { kind: 'reduce', attrs: { kind: 'reduce', dims: nums(/dimension\s*=\s*(\d+)/.exec(stmt.text)?.[1]), reducer: 'sum' }, flops: numel(a) };
    case 'pad': case 'dynamic_pad': return { kind: 'slice', attrs: { kind: 'none' }, flops: 0 };
    case 'dynamic_update_slice': return { kind: 'scatter', attrs: { kind: 'none' }, flops: 0 };
    default: {
      const per = ELEMENTWISE[name];
      if (per === undefined) return undefined;
      const fn = name === 'convert' ? `convert:${inDtypes[0] ?? ''}` : name;
      const fits = ins.every((s) => s.length === 0 || s.join() === out.join());
      return fits ? { kind: 'elementwise', attrs: { kind: 'elementwise', fn }, flops: per * outN } : { kind: 'slice', attrs: { kind: 'none' }, flops: per * outN };
    }
  }
}
