/**
 * Follow ops (alpa.md §1.2 "follow strategies", §1.4 simplification): an elementwise op, reduction, normalisation or
 * layout op takes the spec of one operand (its primary), mapped dim by dim to its output. A split that cannot be
 * mapped is dropped, so the op consumes the gathered tensor (the node builder prices that all-gather). Splits of
 * a normalised or reduced dim are kept and cost an all-reduce of the statistics / partial sums.
 */
import type { Op, Tensor } from '../ir/types.ts';
import type { DimSharding } from './types.ts';
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

interface Mapped {
  /** Spec the op consumes its primary input in (splits it cannot carry dropped). */
  readonly consumed: Spec;
  readonly out: Spec;
  readonly comm?: readonly CommStep[];
  /** Devices the work divides over, when not the output's tiles (a reduction works on its input's). */
  readonly shardFactor?: number;
  /** Whether the backward repeats the forward collectives (not for a sum, whose gradient just broadcasts). */
  readonly mirror?: boolean;
}

const numel = (shape: readonly number[]): number => shape.reduce((x, y) => x * y, 1);

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Slice, concatenate, pool: a dim keeps its split when the op leaves it whole enough to stay local. */
function windowed(op: Op, inSpec: Spec, inShape: readonly number[], outShape: readonly number[], ctx: StrategyCtx): Mapped {
  if (inShape.length !== outShape.length) return { consumed: inSpec.map(() => 'R'), out: outShape.map(() => 'R') };
  const win = op.attrs.kind === 'pool' ? op.attrs.window : [];
  const strides = op.attrs.kind === 'pool' ? op.attrs.strides : [];
  const off = inShape.length - win.length;
  const consumed = inSpec.map((d, i): DimSharding => {
    if (d === 'R') return 'R';
    if (op.kind === 'pool' && i >= off && (win[i - off] !== 1 || (strides[i - off] ?? 1) !== 1)) return 'R';
    if (op.kind === 'concatenate' && outShape[i] !== inShape[i]) return 'R';
    return outShape[i] % axesSize(dimAxes(d), ctx.mesh) === 0 ? d : 'R';
  });
  return { consumed, out: consumed };
}

function mapThrough(op: Op, p: number, inSpec: Spec, ctx: StrategyCtx): Mapped {
  const inShape = ctx.tensor(op.inputs[p]).shape;
  const outShape = ctx.tensor(op.outputs[0]).shape;
  const attrs = op.attrs;
  switch (op.kind) {
    case 'transpose':
      if (attrs.kind === 'transpose') return { consumed: inSpec, out: attrs.perm.map((k) => inSpec[k]) };
      break;
    case 'broadcast':
      if (attrs.kind === 'broadcast') {
        const consumed = inSpec.map((d, i) => (inShape[i] === outShape[attrs.dims[i]] ? d : 'R'));
        const out: DimSharding[] = outShape.map(() => 'R');
        consumed.forEach((d, i) => { out[attrs.dims[i]] = d; });
        return { consumed, out };
      }
      break;
    case 'reduce': {
      const dims = attrs.kind === 'reduce' ? attrs.dims : [inShape.length - 1];
      const out = outShape.length === inShape.length ? inSpec.map((d, i) => (dims.includes(i) ? 'R' : d)) : inSpec.filter((_, i) => !dims.includes(i));
      const axes = dims.flatMap((d) => dimAxes(inSpec[d]));
      const comm: CommStep[] = axes.length ? [{ kind: 'all-reduce', axes, bytes: ctx.bytes(op.outputs[0]) / specTiles(out, ctx.mesh) }] : [];
      return { consumed: inSpec, out, comm, shardFactor: specTiles(inSpec, ctx.mesh), mirror: false };
    }
    case 'slice': case 'concatenate': case 'pool':
      return windowed(op, inSpec, inShape, outShape, ctx);
    case 'softmax': case 'layernorm': case 'batchnorm':
      return { consumed: inSpec, out: inSpec, comm: statsComm(inSpec, inShape, normalisedAxes(op, inShape.length), ctx.bytes(op.inputs[p]), ctx, 2) };
    default:
      break;
  }
  if (sameShape(inShape, outShape)) return { consumed: inSpec, out: inSpec };
  // reshape, and any other op that only re-lays its operand out
  if (numel(inShape) === numel(outShape)) return reshapeSpec(inSpec, inShape, outShape, ctx);
  return { consumed: inSpec.map(() => 'R'), out: outShape.map(() => 'R') };
}

/** The op's strategy when its primary input `p` arrives with spec `inSpec`. */
export function followStrategy(op: Op, p: number, inSpec: Spec, ctx: StrategyCtx): OpStrategy {
  const outShape = ctx.tensor(op.outputs[0]).shape;
  let m = mapThrough(op, p, inSpec, ctx);
  // an output rank the mapping did not foresee (unusual attrs): run it replicated
  if (m.out.length !== outShape.length) m = { consumed: inSpec.map(() => 'R'), out: outShape.map(() => 'R') };
  const forwardComm = m.comm ?? [];
  return {
    name: 'follow',
    inputSpecs: op.inputs.map((id, i) => (i === p ? m.consumed : alignSpec(m.out, outShape, ctx.tensor(id).shape))),
    outputSpecs: op.outputs.map((id) => alignSpec(m.out, outShape, ctx.tensor(id).shape)),
    shardFactor: m.shardFactor ?? specTiles(m.out, ctx.mesh),
    forwardComm,
    backwardComm: ctx.training && m.mirror !== false ? forwardComm : [],
  };
}
