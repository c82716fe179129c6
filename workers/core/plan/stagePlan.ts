/** Pieces both stage-sharding paths use (stageSharding.ts from the intra-op answers, templateSharding.ts from the
 * template): ids carried between identical units, and a stage's ShardingPlan from its costs. */
import type { ModelGraph } from '../ir/types.ts';
import type { StageCore } from '../inter/stageOptions.ts';
import type { Unit } from '../inter/units.ts';
import type { Collective, MemoryBreakdown, OpSharding, ShardingPlan, TensorSharding } from './types.ts';

export function unitOps(u: Unit): number[] {
  return [...u.forwardOps, ...u.backwardOps];
}

/** Ids of `from`'s ops and tensors -> the corresponding ids in `to` (same structure). */
export function idMap(graph: ModelGraph, from: Unit, to: Unit): (id: string) => string {
  if (from === to) return (id) => id;
  const m = new Map<string, string>();
  const a = unitOps(from);
  const b = unitOps(to);
  a.forEach((ia, k) => {
    const x = graph.ops[ia];
    const y = graph.ops[b[k]];
    if (!y) return;
    m.set(x.id, y.id);
    x.inputs.forEach((t, j) => { if (y.inputs[j] !== undefined) m.set(t, y.inputs[j]); });
    x.outputs.forEach((t, j) => { if (y.outputs[j] !== undefined) m.set(t, y.outputs[j]); });
  });
  return (id) => m.get(id) ?? id;
}

/** A stage's ShardingPlan from its costs (the stage's, not one unit's) and the per-operator rows. */
export function stagePlan(core: StageCore, meshShape: readonly [number, number], memory: MemoryBreakdown, rows: {
  readonly status: ShardingPlan['status']; readonly ops: OpSharding[]; readonly tensors: TensorSharding[];
  readonly collectives: Collective[]; readonly reshardingSeconds: number; readonly ilp: ShardingPlan['ilp']; readonly message?: string;
}): ShardingPlan {
  return {
    status: rows.status,
    objectiveSeconds: core.forwardSeconds + core.backwardSeconds,
    forwardSeconds: core.forwardSeconds,
    backwardSeconds: core.backwardSeconds,
    gradientSyncSeconds: core.gradientSyncSeconds,
    meshShape,
    ops: rows.ops,
    tensors: rows.tensors,
    collectives: rows.collectives,
    cost: { computeSeconds: core.computeSeconds, communicationSeconds: core.communicationSeconds, reshardingSeconds: rows.reshardingSeconds },
    memory,
    memoryBytesPerDevice: memory.paramBytes + memory.gradBytes + memory.optimizerBytes + memory.activationBytes + memory.temporaryBytes,
    ilp: rows.ilp,
    ...(rows.message ? { message: rows.message } : {}),
  };
}
