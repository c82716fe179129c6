/**
 * Follow ops (alpa.md §1.2 "follow strategies", §1.4 simplification): an elementwise op, reduction, normalisation or
 * layout op takes the spec of one operand (its primary), mapped dim by dim to its output. A split that cannot be
 * mapped is dropped, so the op consumes the gathered tensor (the node builder prices that all-gather). Splits of
 * a normalised or reduced dim are kept and cost an all-reduce of the statistics / partial sums.
 */
import type { Op, Tensor } from '../ir/types.ts';
import type { DimSharding } from '../plan/types.ts';
import type { CommStep } from './resharding.ts';
import { alignSpec, type OpStrategy, type StrategyCtx } from './strategies.ts';
import { axesSize, dimAxes, dimOfAxes, type MeshAxis, type Spec, specTiles } from './specs.ts';

const FOLLOW_KINDS: ReadonlySet<string> = new Set([
  'elementwise', 'softmax', 'layernorm', 'batchnorm', 'pool', 'reshape', 'transpose', 'broadcast', 'slice',
  'concatenate', 'reduce', 'optimizer', 'unknown',
]);

export function isFollowKind(op: Op): boolean {
  return FOLLOW_KINDS.has(op.kind) && op.inputs.length > 0 && op.outputs.length > 0;
}

/**
 * The operand an op follows. Elementwise ops (and concatenate) follow the operand produced last in topological
 * order ("deepest operand", §4.2) among those of the output's shape; -1 when none has it (the op becomes an
 * anchor). Layout ops, reductions and norms follow their data operand (the first), not gamma/beta or indices.
 * `order` gives each tensor's producer position (-1 for sources).
 */
export function primaryInput(op: Op, tensor: (id: string) => Tensor, order: (tensorId: string) => number): number {
  if (op.kind !== 'elementwise' && op.kind !== 'optimizer' && op.kind !== 'concatenate') return 0;
  const outShape = tensor(op.outputs[0]).shape;
  const eligible = (i: number): boolean => {
    const s = tensor(op.inputs[i]).shape;
    return op.kind === 'concatenate' || (s.length === outShape.length && s.every((d, k) => d === outShape[k]));
  };
  let best = -1;
  for (let i = 0; i < op.inputs.length; i++) {
    if (eligible(i) && (best < 0 || order(op.inputs[i]) > order(op.inputs[best]))) best = i;
  }
  return best;
}

/** Groups of input dims and output dims with equal products (a reshape maps group to group). */
function reshapeGroups(a: readonly number[], b: readonly number[]): [number[], number[]][] {
  const groups: [number[], number[]][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const gi: number[] = [];
    const gj: number[] = [];
    let pa = 1;
    let pb = 1;
    if (i < a.length) { pa *= a[i]; gi.push(i++); }
    if (j < b.length) { pb *= b[j]; gj.push(j++); }
    while (pa !== pb) {
      if (pa < pb && i < a.length) { pa *= a[i]; gi.push(i++); } else if (pb < pa && j < b.length) { pb *= b[j]; gj.push(j++); } else break;
    }
    groups.push([gi, gj]);
  }
  return groups;
}

/** Maps a split through a reshape: within each group, a split goes to the first output dim it divides. Layouts of
 * the producing weights can be permuted to make that local (as Megatron does for QKV), so no data moves. */
function reshapeSpec(spec: Spec, inShape: readonly number[], outShape: readonly number[], ctx: StrategyCtx): { consumed: Spec; out: Spec } {
  const consumed: DimSharding[] = spec.slice();
  const out: MeshAxis[][] = outShape.map(() => []);
  const mesh = ctx.mesh;
  for (const [gi, gj] of reshapeGroups(inShape, outShape)) {
    for (const i of gi) {
      const axes = dimAxes(spec[i]);
      if (!axes.length) continue;
      const o = gj.find((j) => outShape[j] > 1 && outShape[j] % (axesSize(out[j], mesh) * axesSize(axes, mesh)) === 0);
      if (o === undefined) consumed[i] = 'R';
      else out[o].push(...axes);
    }
  }
  return { consumed, out: out.map((axes) => dimOfAxes(axes)) };
}

/** All-reduces of per-row statistics (max/sum, mean/var) when a normalised dim is split. */
function statsComm(spec: Spec, shape: readonly number[], dims: readonly number[], bytes: number, ctx: StrategyCtx, count: number): CommStep[] {
  const axes = dims.flatMap((d) => dimAxes(spec[d]));
  if (!axes.length) return [];
  const rowBytes = bytes / dims.reduce((p, d) => p * shape[d], 1);
  const other = specTiles(spec, ctx.mesh) / axesSize(axes, ctx.mesh);
  return Array.from({ length: count }, () => ({ kind: 'all-reduce' as const, axes, bytes: rowBytes / other }));
}

function normalisedAxes(op: Op, rank: number): number[] {
  if (op.attrs.kind === 'axis') return [(op.attrs.axis + rank) % rank];
  if (op.attrs.kind === 'norm') return op.attrs.axes.map((a) => (a + rank) % rank);
  return op.kind === 'batchnorm' ? [] : [rank - 1];
}

/** The op's strategy when its primary input `p` arrives with spec `inSpec`. */
export function followStrategy(op: Op, p: number, inSpec: Spec, ctx: StrategyCtx): OpStrategy {
  const inT = ctx.tensor(op.inputs[p]);
  const outT = ctx.tensor(op.outputs[0]);
  const inShape = inT.shape;
  const outShape = outT.shape;
  let consumed: Spec = inSpec;
  let out: Spec = inSpec;
  let shardFactor = 0;
  const forwardComm: CommStep[] = [];
  let mirror = true;
  const same = inShape.length === outShape.length && inShape.every((d, i) => d === outShape[i]);
  const attrs = op.attrs;
  if (op.kind === 'transpose' && attrs.kind === 'transpose') {
    out = attrs.perm.map((k) => inSpec[k]);
  } else if (op.kind === 'broadcast' && attrs.kind === 'broadcast') {
    const o: DimSharding[] = outShape.map(() => 'R');
    consumed = inSpec.map((d, i) => (inShape[i] === outShape[attrs.dims[i]] ? d : 'R'));
    consumed.forEach((d, i) => { o[attrs.dims[i]] = d; });
    out = o;
  } else if (op.kind === 'reshape' || (!same && op.kind !== 'reduce' && op.kind !== 'slice' && op.kind !== 'concatenate' && op.kind !== 'pool'
    && inShape.reduce((x, y) => x * y, 1) === outShape.reduce((x, y) => x * y, 1))) {
    ({ consumed, out } = reshapeSpec(inSpec, inShape, outShape, ctx));
  } else if (op.kind === 'reduce') {
    const dims = attrs.kind === 'reduce' ? attrs.dims : [inShape.length - 1];
    const keep = outShape.length === inShape.length;
    out = keep ? inSpec.map((d, i) => (dims.includes(i) ? 'R' : d)) : inSpec.filter((_, i) => !dims.includes(i));
    const axes = dims.flatMap((d) => dimAxes(inSpec[d]));
    if (axes.length) forwardComm.push({ kind: 'all-reduce', axes, bytes: ctx.bytes(op.outputs[0]) / specTiles(out, ctx.mesh) });
    shardFactor = specTiles(inSpec, ctx.mesh);
    mirror = false; // the gradient of a sum broadcasts back without communication
  } else if (op.kind === 'slice' || op.kind === 'concatenate' || op.kind === 'pool') {
    const win = attrs.kind === 'pool' ? attrs.window : [];
    const strides = attrs.kind === 'pool' ? attrs.strides : [];
    const off = inShape.length - win.length;
    consumed = inSpec.map((d, i) => {
      if (d === 'R' || inShape.length !== outShape.length) return 'R';
      if (op.kind === 'pool' && i >= off && (win[i - off] !== 1 || (strides[i - off] ?? 1) !== 1)) return 'R';
      if (op.kind === 'concatenate' && outShape[i] !== inShape[i]) return 'R';
      return outShape[i] % axesSize(dimAxes(d), ctx.mesh) === 0 ? d : 'R';
    });
    out = inShape.length === outShape.length ? consumed : outShape.map(() => 'R');
  } else if (op.kind === 'softmax' || op.kind === 'layernorm' || op.kind === 'batchnorm') {
    const dims = normalisedAxes(op, inShape.length);
    forwardComm.push(...statsComm(inSpec, inShape, dims, ctx.bytes(op.inputs[p]), ctx, 2));
  } else if (!same) {
    consumed = inSpec.map(() => 'R');
    out = outShape.map(() => 'R');
  }
  if (!shardFactor) shardFactor = specTiles(out, ctx.mesh);
  const inputSpecs = op.inputs.map((id, i) => (i === p ? consumed : alignSpec(out, outShape, ctx.tensor(id).shape)));
  const outputSpecs = op.outputs.map((id) => alignSpec(out, outShape, ctx.tensor(id).shape));
  return {
    name: 'follow', inputSpecs, outputSpecs, shardFactor, forwardComm,
    backwardComm: ctx.training && mirror ? forwardComm : [],
  };
}
