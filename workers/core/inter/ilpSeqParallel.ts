/**
 * Sequence parallelism (Megatron-style, Korthikanti et al. 2022) on top of the intra-op pass's answer for a unit,
 * from the same solve (no new ILP): where the ILP chose Megatron's tensor parallelism over axis 1 (a dot whose
 * contraction is split over axis 1 all-reduces its output, norms / residual adds / dropout run replicated over axis 1,
 * and the next dot needs its input whole over axis 1, all-reducing that input's gradient in backward), the replicated
 * ops run split along the sequence over axis 1 instead, exactly as the template's SP (manualProfile.ts):
 * - their compute and kept activations / n1 (`ops`: their kernels' tiles x n1);
 * - the producing dot's forward all-reduce becomes a reduce-scatter, with an all-gather of the gradient in backward;
 * - a consumer that needs the tensor whole over axis 1 all-gathers it in forward; its backward all-reduce of that
 *   input's gradient becomes a reduce-scatter, and a consumer with a weight all-gathers the input again in backward
 *   for the weight gradient (Megatron keeps it split);
 * - activations entering or leaving the unit on the sequence stay split between units (the residual stream), as the
 *   template prices them.
 * The ILP's space has no partial-sum tensors, so it cannot express this itself: SP is a memory / time trade-off the
 * stage DP makes (variant 'ilp+sp'). Where the answer does not have this shape around a region (a consumer that
 * needs the tensor split over axis 1, or a resharding over axis 1 touching it), the unit gets no SP (undefined).
 */
import { activationElementBytes, type Precision } from '../cost/precision.ts';
import { tensorBytesAt } from '../intra/strategies.ts';
import type { ShardingPlan } from '../intra/types.ts';
import type { ModelGraph, Tensor } from '../ir/types.ts';
import type { ProfiledCollective } from './unitProfile.ts';
import type { Unit } from './units.ts';
import { specDims, specTiles } from './specStrings.ts';
import { attentionCores } from './seqParallel.ts';

export interface IlpSequenceParallel {
  /** graph.ops indices of the forward ops split along the sequence over axis 1. */
  readonly ops: ReadonlySet<number>;
  /** Indices into plan.collectives that SP replaces, and the collectives it adds (message bytes at plan's batch). */
  readonly replaced: ReadonlySet<number>;
  readonly added: readonly ProfiledCollective[];
}

const CONTRACTIONS: ReadonlySet<string> = new Set(['dot', 'conv', 'gather', 'scatter']);

const usesAxis1 = (spec: string): boolean => spec.includes('1');

export function ilpSequenceParallel(graph: ModelGraph, unit: Unit, plan: ShardingPlan, tensors: ReadonlyMap<string, Tensor>,
  precision: Precision, attentionOps: ReadonlySet<number>): IlpSequenceParallel | undefined {
  const [, n1] = plan.meshShape;
  const seq = graph.seq ?? 0;
  if (n1 <= 1 || seq <= 1 || seq % n1 !== 0) return undefined;
  const sharding = new Map(plan.ops.map((o) => [o.op, o]));
  const onSequence = (id: string): boolean => {
    const t = tensors.get(id);
    return t !== undefined && t.kind !== 'parameter' && t.batchDim === 0 && t.shape.length >= 3 && t.shape[1] === seq;
  };
  const ops = new Set<number>();
  const producer = new Map<string, number>();
  for (const i of unit.forwardOps) {
    const op = graph.ops[i];
    for (const t of op.outputs) producer.set(t, i);
    const s = sharding.get(op.id);
    if (op.phase !== 'forward' || !s || CONTRACTIONS.has(op.kind) || attentionOps.has(i) || !op.outputs.length) continue;
    if (!op.outputs.every(onSequence) || [...s.inputSpecs, ...s.outputSpecs].some(usesAxis1)) continue;
    ops.add(i);
  }
  if (!ops.size) return undefined;
  const splitTensors = new Set<string>();
  for (const i of ops) for (const t of graph.ops[i].outputs) splitTensors.add(t);
  const opIds = new Set([...ops].map((i) => graph.ops[i].id));
  const forwardAllReduce = new Map<string, number>();
  const backwardAllReduces = new Map<string, number[]>();
  for (const [k, c] of plan.collectives.entries()) {
    // A resharding over axis 1 at the region (the ILP moving a split there) has no SP counterpart here.
    if (c.reason === 'resharding' && c.axis !== 0 && (splitTensors.has(c.op) || opIds.has(c.op) || [...ops].some((i) => graph.ops[i].inputs.includes(c.op)))) return undefined;
    if (c.kind !== 'all-reduce' || c.axis !== 1) continue;
    if (c.reason === 'forward') forwardAllReduce.set(c.op, k);
    if (c.reason === 'backward') backwardAllReduces.set(c.op, [...(backwardAllReduces.get(c.op) ?? []), k]);
  }
  const replaced = new Set<number>();
  const added: ProfiledCollective[] = [];
  const add = (kind: 'all-gather' | 'reduce-scatter', bytes: number, phase: 'forward' | 'backward', op: number): void => {
    added.push({ kind, axis: 1, bytes, phase, scales: true, op });
  };
  // Bytes as the intra-op pass counts them (its collectives' messages): floats at the precision's activation width.
  const floatBytes = activationElementBytes(precision);
  const bytesAt = (id: string, spec: string): number => tensorBytesAt(tensors.get(id)!, floatBytes) / specTiles(spec, plan.meshShape);
  const specOf = new Map(plan.tensors.map((t) => [t.tensor, t.spec]));
  const entered = new Set<string>();
  const left = new Set<string>();
  for (const i of ops) {
    for (const t of graph.ops[i].inputs) {
      const p = producer.get(t);
      if (p === undefined || ops.has(p) || entered.has(t) || tensors.get(t)?.kind === 'parameter') continue;
      entered.add(t);
      const k = forwardAllReduce.get(graph.ops[p].id);
      if (k !== undefined) {
        // The dot's partial sums are reduce-scattered along the sequence; the gradient comes back split: gathered.
        replaced.add(k);
        add('reduce-scatter', plan.collectives[k].bytes, 'forward', p);
        add('all-gather', plan.collectives[k].bytes, 'backward', p);
      } else {
        // Whole over axis 1 already: each device slices its part; the gradient is gathered for the producer.
        add('all-gather', bytesAt(t, specOf.get(t) ?? 'R'), 'backward', p);
      }
    }
  }
  for (const c of unit.forwardOps) {
    if (ops.has(c)) continue;
    const op = graph.ops[c];
    const s = sharding.get(op.id);
    op.inputs.forEach((t, j) => {
      if (!splitTensors.has(t)) return;
      const spec = specOf.get(t) ?? 'R';
      // A consumer that wants the tensor split over axis 1 would need an all-to-all, not modelled: no SP.
      if (!s || s.inputSpecs[j] !== spec) throw new NoSequenceParallel();
      const bytes = bytesAt(t, spec);
      if (!left.has(t)) {
        left.add(t);
        add('all-gather', bytes, 'forward', c);
        if (op.inputs.some((x) => tensors.get(x)?.kind === 'parameter') && CONTRACTIONS.has(op.kind)) add('all-gather', bytes, 'backward', c);
      }
      const k = (backwardAllReduces.get(op.id) ?? []).find((x) => !replaced.has(x) && Math.abs(plan.collectives[x].bytes - bytes) <= 1e-9 * bytes);
      if (k !== undefined) {
        replaced.add(k);
        add('reduce-scatter', bytes, 'backward', c);
      }
    });
  }
  return { ops, replaced, added };
}

class NoSequenceParallel extends Error {}

/** ilpSequenceParallel, undefined where the answer's shape rules SP out. */
export function ilpSequenceParallelOrNone(...args: Parameters<typeof ilpSequenceParallel>): IlpSequenceParallel | undefined {
  try {
    return ilpSequenceParallel(...args);
  } catch (err) {
    if (err instanceof NoSequenceParallel) return undefined;
    throw err;
  }
}

/**
 * Context parallelism on the ILP's answer, sound only where the answer uses mesh axis 0 as pure data parallelism:
 * every activation split over axis 0 along its batch dim and no other, no weight or batchless tensor split over it,
 * and no collective over it but the gradient synchronisation. Then cp devices of axis 0 can hold one sequence's
 * tokens split cp ways instead of cp sequences: a device's tokens, compute and axis-1 collectives are those the
 * answer priced, and CP adds the attention's K/V exchange (seqParallel.ts contextParallelCollectives), as the
 * template's CP argues. Where axis 0 carries anything else (tensor parallelism over hidden, say) this re-pricing does
 * not hold. Returns the split a device holds of K (what contextParallelCollectives divides tensors by), or undefined.
 */
export function ilpContextParallelSplit(graph: ModelGraph, unit: Unit, plan: ShardingPlan, tensors: ReadonlyMap<string, Tensor>): number | undefined {
  if (plan.meshShape[0] <= 1) return undefined;
  const specOf = new Map(plan.tensors.map((t) => [t.tensor, t.spec]));
  for (const t of plan.tensors) {
    const x = tensors.get(t.tensor);
    if (!x) continue;
    const on0 = specDims(t.spec).map((d) => d === 'S0' || d === 'S01');
    if (x.kind === 'parameter' || x.batchDim === undefined) {
      if (on0.some(Boolean)) return undefined;
    } else if (!on0[x.batchDim] || on0.some((v, j) => v && j !== x.batchDim)) return undefined;
  }
  if (plan.collectives.some((c) => c.axis !== 1 && !/gradient|weight-update/.test(c.reason))) return undefined;
  const core = attentionCores(graph, unit, tensors)[0];
  return core ? specTiles(specOf.get(core.k.id) ?? 'R', plan.meshShape) : plan.meshShape[0];
}
