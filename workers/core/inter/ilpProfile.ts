/**
 * A unit's profile from the intra-op pass's answer (its ShardingPlan on one logical mesh): each op's tiles from its
 * sharding specs, the collectives that run per micro-batch, the gradient synchronisation, and memory under Alpa's
 * weight-update sharding. inter/manualProfile.ts builds the same UnitProfile from a fixed strategy.
 */
import { elementWidth } from '../cost/fusion.ts';
import { precisionBytes } from '../cost/memory.ts';
import type { Precision } from '../cost/precision.ts';
import type { ShardingPlan } from '../intra/types.ts';
import type { ModelGraph, Tensor } from '../ir/types.ts';
import { unitParamIds, type Unit } from './units.ts';
import { ilpContextParallelSplit, ilpSequenceParallelOrNone } from './ilpSeqParallel.ts';
import { contextParallelCollectives, type CpKind, type CpSplit } from './seqParallel.ts';
import type { Link } from '../cluster/types.ts';
import { specReplicatedAxes, specTiles } from './specStrings.ts';

export { specReplicatedAxes, specTiles } from './specStrings.ts';
import { elementFractions, keptActivationBytes, type ProfiledCollective, type ProfiledKernel, type UnitProfile, type ZeroGroup } from './unitProfile.ts';
import type { RuntimeTraits } from './runtime.ts';

export function countParams(graph: ModelGraph, unit: Unit, tensors: ReadonlyMap<string, Tensor>): number {
  const seen = new Set<string>();
  for (const i of unit.forwardOps) for (const t of graph.ops[i].inputs) if (tensors.get(t)?.kind === 'parameter') seen.add(t);
  return seen.size;
}

/**
 * Optimizer state (fp32 master + moments) per device under Alpa's weight-update sharding (alpa.md §1.4: the
 * gradient all-reduce rewritten as reduce-scatter + all-gather, so each device updates 1/devices of every
 * parameter): the unit's whole optimizer state over all devices of the mesh.
 */
export function weightUpdateShardedBytes(graph: ModelGraph, unit: Unit, tensors: ReadonlyMap<string, Tensor>,
  precision: Precision, mesh: readonly [number, number]): number {
  let elems = 0;
  for (const t of unitParamIds(graph, unit, tensors)) elems += tensors.get(t)!.shape.reduce((a, b) => a * b, 1);
  const b = precisionBytes(precision);
  return elems * (b.masterBytes + b.optimizerBytes) / (mesh[0] * mesh[1]);
}

/**
 * What ZeRO can shard on top of the ILP's answer: the unit's parameters, each at the ILP's spec (elements per device:
 * its elements over the devices the spec splits it over), grouped by the mesh axes the spec leaves it replicated on.
 * Those replicas hold the same weight, gradient and optimizer state, so ZeRO-2/3 can shard the gradient and the
 * weight over them exactly as the template shards a data-parallel replica (inter/zeroStages.ts); a weight split over
 * both axes has no replica and no group. `unsharded`: the gradient bytes per device before any sharding.
 */
export function ilpZeroGroups(graph: ModelGraph, unit: Unit, plan: ShardingPlan, tensors: ReadonlyMap<string, Tensor>,
  gradBytesPerElement: number): { groups: ZeroGroup[]; unshardedGradBytes: number } {
  const mesh = plan.meshShape;
  const specOf = new Map(plan.tensors.map((t) => [t.tensor, t.spec]));
  const byAxes = new Map<string, ZeroGroup & { elems: number }>();
  let unshardedGradBytes = 0;
  for (const id of unitParamIds(graph, unit, tensors)) {
    const x = tensors.get(id)!;
    const spec = specOf.get(id) ?? 'R';
    const elems = x.shape.reduce((a, b) => a * b, 1) / specTiles(spec, mesh);
    unshardedGradBytes += elems * gradBytesPerElement;
    const axes = specReplicatedAxes(spec, mesh);
    if (!axes.length) continue;
    const key = axes.join('');
    const g = byAxes.get(key);
    if (g) g.elems += elems;
    else byAxes.set(key, { elems, axes });
  }
  return { groups: [...byAxes.values()], unshardedGradBytes };
}

/** The profile of the intra-op pass's answer for one unit (ops' tiles from their specs; its collectives). */
export function profileFromSharding(graph: ModelGraph, unit: Unit, plan: ShardingPlan,
  tensors: ReadonlyMap<string, Tensor>, training: boolean, precision: Precision,
  keeps: Pick<RuntimeTraits, 'normsInFp32' | 'residuals'> = { normsInFp32: false, residuals: 'autodiff' },
  sequenceParallel?: { readonly attentionOps: ReadonlySet<number> },
  contextParallel?: { readonly degree: number; readonly kind: CpKind; readonly link?: Link; readonly split?: CpSplit }): UnitProfile {
  const mesh = plan.meshShape;
  // Sequence parallelism on this answer (ilpSeqParallel.ts); none where its shape rules it out.
  const sp = sequenceParallel ? ilpSequenceParallelOrNone(graph, unit, plan, tensors, precision, sequenceParallel.attentionOps) : undefined;
  const byId = new Map(plan.ops.map((o) => [o.op, o]));
  const kernels: ProfiledKernel[] = [];
  let activationBytes = 0;
  const seen = new Set<string>();
  const width = elementWidth(graph, precision);
  for (const i of [...unit.forwardOps, ...unit.backwardOps]) {
    const op = graph.ops[i];
    const s = byId.get(op.id);
    const tiles = (s ? Math.max(1, ...[...s.outputSpecs, ...s.inputSpecs].map((x) => specTiles(x, mesh))) : 1) * (sp?.ops.has(i) ? mesh[1] : 1);
    kernels.push({ op: i, tiles, split: 'm', phase: op.phase === 'forward' ? 'forward' : 'backward' });
    if (op.phase === 'forward') activationBytes += keptActivationBytes(op, tensors, tiles, seen, width, keeps.normsInFp32, keeps.residuals);
  }
  const collectives: ProfiledCollective[] = [];
  const zero = training ? ilpZeroGroups(graph, unit, plan, tensors, precisionBytes(precision).gradBytes) : undefined;
  for (const [k, c] of plan.collectives.entries()) {
    if (sp?.replaced.has(k)) continue;
    if (/gradient|weight-update/.test(c.reason) || c.axis === '01') {
      if (c.axis === '01' && !/gradient|weight-update/.test(c.reason)) {
        // A collective over both axes: price it on axis 0 (the slower one) with the whole mesh folded in below.
        collectives.push({ kind: c.kind, axis: 0, bytes: c.bytes, phase: /backward/.test(c.reason) ? 'backward' : 'forward', scales: true });
      }
      continue;
    }
    collectives.push({ kind: c.kind, axis: c.axis, bytes: c.bytes, phase: /backward/.test(c.reason) ? 'backward' : 'forward', scales: true });
  }
  if (sp) collectives.push(...sp.added);
  // Context parallelism where the answer's axis 0 is pure data parallelism (ilpContextParallelSplit; the caller checks).
  const cpSplit = contextParallel && contextParallel.degree > 1 ? ilpContextParallelSplit(graph, unit, plan, tensors) : undefined;
  const cp = contextParallel && cpSplit !== undefined
    ? contextParallelCollectives(graph, unit, tensors, cpSplit, contextParallel.degree, contextParallel.kind, contextParallel.link) : undefined;
  if (cp) collectives.push(...cp.collectives);
  return {
    meshShape: mesh,
    refBatch: graph.batch,
    explicitBackward: graph.training?.explicitBackward ?? false,
    kernels,
    collectives,
    gradientSyncSeconds: training ? plan.gradientSyncSeconds : 0,
    paramBytes: plan.memory.paramBytes,
    // ZeRO-1 state (inter/zeroStages.ts): the optimizer sharded over each weight's replicas (below), the gradients
    // whole. The ILP's weight-update sharding also divides the gradients it charges, but it reduces them once per
    // step, so under gradient accumulation the whole buffer lives until then; ZeRO-2 is the stage DP's choice.
    gradBytes: zero ? zero.unshardedGradBytes : 0,
    optimizerBytes: training ? Math.min(plan.memory.optimizerBytes, weightUpdateShardedBytes(graph, unit, tensors, precision, mesh)) : 0,
    activationBytes,
    paramTensors: countParams(graph, unit, tensors),
    paramFractions: elementFractions(unitParamIds(graph, unit, tensors).map((t) => tensors.get(t)!.shape.reduce((a, b) => a * b, 1))),
    source: 'ilp',
    sharding: plan,
    ...(cp && cp.bufferBytes > 0 ? { bufferBytes: cp.bufferBytes } : {}),
    ...(cp && contextParallel!.kind === 'ring' && contextParallel!.split === 'contiguous' ? { cpContiguous: contextParallel!.degree } : {}),
    ...(zero && zero.groups.length ? { zero: { level: 1 as const, elems: zero.groups.reduce((a, g) => a + g.elems, 0), groups: zero.groups } } : {}),
  };
}
