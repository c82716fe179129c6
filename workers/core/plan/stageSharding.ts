/**
 * A stage's per-operator sharding, assembled from the intra-op pass's answers for its units: each distinct unit was
 * solved once (on its first occurrence), so the answer is carried over to the other units of that hash by position
 * (their ops, inputs and outputs correspond one to one). Collectives are re-priced at the plan's micro-batch.
 * Stages priced by the template get the template's specs (templateSharding.ts).
 */
import { collectiveSeconds } from '../cost/collectives.ts';
import type { ModelGraph } from '../ir/types.ts';
import type { LayerClustering } from '../inter/layerConstruction.ts';
import type { MeshSpace } from '../inter/meshSpace.ts';
import { profileKey } from '../inter/profileUnits.ts';
import { seqChoiceOf } from '../inter/seqParallel.ts';
import type { StageCore } from '../inter/stageOptions.ts';
import type { UnitProfile } from '../inter/unitProfile.ts';
import type { Collective, MemoryBreakdown, OpSharding, ShardingPlan, TensorSharding } from './types.ts';
import { idMap, stagePlan, unitOps } from './stagePlan.ts';
import { templateStageSharding, type OpPricer } from './templateSharding.ts';

const STATUS_RANK = { optimal: 0, 'time-limit': 1, infeasible: 2, error: 3 } as const;

export function stageSharding(graph: ModelGraph, clustering: LayerClustering, space: MeshSpace,
  profiles: ReadonlyMap<string, UnitProfile>, core: StageCore, microbatch: number, memory: MemoryBreakdown,
  priceOp: OpPricer): ShardingPlan | undefined {
  const mesh = space.meshes[core.meshId];
  if (seqChoiceOf(mesh.variant).base !== 'ilp') return templateStageSharding(graph, clustering, space, profiles, core, microbatch, memory, priceOp);
  const sub = space.submeshes[mesh.shape];
  const units = clustering.unitGraph.units;
  const opIndex = new Map(graph.ops.map((o, i) => [o.id, i]));
  const opName = (id: string) => graph.ops[opIndex.get(id) ?? -1]?.name ?? id;
  const tensorName = new Map(graph.tensors.map((t) => [t.id, t.name]));
  const r = microbatch / graph.batch;
  const ops: OpSharding[] = [];
  const tensors = new Map<string, TensorSharding>();
  const collectives: Collective[] = [];
  let status: ShardingPlan['status'] = 'optimal';
  let variables = 0;
  let constraints = 0;
  let solveSeconds = 0;
  let resharding = 0;
  for (let l = core.start; l < core.end; l++) {
    const layer = clustering.layers[l];
    for (let u = layer.unitStart; u < layer.unitEnd; u++) {
      const plan = profiles.get(profileKey(units[u], mesh, sub))?.sharding;
      if (!plan || plan.ops.length === 0) return undefined;
      const solved = units[clustering.unitGraph.unitOfOp[opIndex.get(plan.ops[0].op) ?? 0]] ?? units[u];
      const map = idMap(graph, solved, units[u]);
      for (const o of plan.ops) ops.push({ ...o, op: map(o.op), name: opName(map(o.op)) });
      for (const t of plan.tensors) {
        const id = map(t.tensor);
        if (!tensors.has(id)) tensors.set(id, { ...t, tensor: id, name: tensorName.get(id) ?? t.name });
      }
      for (const c of plan.collectives) {
        const perStep = /gradient|weight-update/.test(c.reason);
        const bytes = perStep ? c.bytes : c.bytes * r;
        const axis = c.axis === '01' ? 0 : c.axis;
        const n = c.axis === '01' ? mesh.logical[0] * mesh.logical[1] : mesh.logical[axis];
        const seconds = collectiveSeconds(c.kind, bytes, n, mesh.links[axis]);
        collectives.push({ ...c, op: map(c.op), bytes, seconds });
        if (c.reason === 'resharding') resharding += seconds;
      }
      if (STATUS_RANK[plan.status] > STATUS_RANK[status]) status = plan.status;
      variables += plan.ilp.variables;
      constraints += plan.ilp.constraints;
      solveSeconds += plan.ilp.solveSeconds;
    }
  }
  return stagePlan(core, mesh.logical, memory, { status, ops, tensors: [...tensors.values()], collectives, reshardingSeconds: resharding, ilp: { variables, constraints, solveSeconds } });
}
