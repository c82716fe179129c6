/**
 * The per-operator sharding of a stage priced by the template strategy (inter/manualProfile.ts): each op's role
 * gives its strategy name and the specs of its tensors in Alpa's notation (S0 = split on mesh axis 0, S1 on axis
 * 1, R replicated), e.g. a column-parallel weight [in, out] is RS1 and its output S0RS1 for [batch, seq, out].
 */
import type { ModelGraph, Op, Tensor } from '../ir/types.ts';
import type { LayerClustering } from '../inter/layerConstruction.ts';
import type { MeshSpace } from '../inter/meshSpace.ts';
import { profileKey } from '../inter/profileUnits.ts';
import type { StageCore } from '../inter/stageOptions.ts';
import { profiledCollectiveSeconds, type TemplateRole, type UnitProfile } from '../inter/unitProfile.ts';
import type { Collective, DimSharding, MemoryBreakdown, OpSharding, ShardingPlan, TensorSharding } from './types.ts';
import { idMap, stagePlan } from './stagePlan.ts';

/** Forward + backward seconds of graph.ops[op] split `tiles` ways at the plan's micro-batch. */
export type OpPricer = (op: number, tiles: number) => number;

const STRATEGY: Readonly<Record<TemplateRole, string>> = {
  data: 'S0 batch (data parallel)',
  column: 'column-parallel: W split on output features (S1)',
  row: 'row-parallel: W split on input features (S1), all-reduce',
  tensor: 'follow the tensor-parallel split (S1)',
  vocab: 'vocabulary-parallel embedding, all-reduce',
  expert: 'expert-parallel: experts on S0, all-to-all',
  replicated: 'replicated',
  sequence: 'sequence-parallel: S0 batch, S1 sequence',
};

function specOf(t: Tensor, op: Op, role: TemplateRole, mesh: readonly [number, number]): string {
  const dims: DimSharding[] = t.shape.map(() => 'R');
  const [n0, n1] = mesh;
  const put = (d: number, axis: 'S0' | 'S1'): void => {
    const n = axis === 'S0' ? n0 : n1;
    if (d >= 0 && d < dims.length && n > 1 && t.shape[d] % n === 0 && dims[d] === 'R') dims[d] = axis;
  };
  const param = t.kind === 'parameter';
  if (!param && t.batchDim !== undefined && role !== 'replicated') put(t.batchDim, 'S0');
  const last = t.shape.length - 1;
  const feature = t.shape.length >= 4 ? 1 : last; // heads of [batch, heads, seq, dim], else the last dim
  if (param) {
    if (role === 'column') put(last, 'S1');
    else if (role === 'row') {
      const contract = op.attrs.kind === 'dot' ? (op.inputs[0] === t.id ? op.attrs.lhsContract[0] : op.attrs.rhsContract[0]) : 0;
      put(contract ?? 0, 'S1');
    } else if (role === 'vocab') put(0, 'S1');
    else if (role === 'expert') put(0, 'S0');
    else if (role === 'tensor') put(last, 'S1');
  } else if (role === 'sequence') {
    put(1, 'S1');
  } else if (role === 'tensor' || (role === 'column' && op.outputs.includes(t.id)) || (role === 'row' && op.inputs.includes(t.id))) {
    put(feature, 'S1');
  }
  return dims.join('');
}

export function templateStageSharding(graph: ModelGraph, clustering: LayerClustering, space: MeshSpace,
  profiles: ReadonlyMap<string, UnitProfile>, core: StageCore, microbatch: number, memory: MemoryBreakdown,
  priceOp: OpPricer): ShardingPlan | undefined {
  const mesh = space.meshes[core.meshId];
  const sub = space.submeshes[mesh.shape];
  const units = clustering.unitGraph.units;
  const tensorById = new Map(graph.tensors.map((t) => [t.id, t]));
  const opById = new Map(graph.ops.map((o) => [o.id, o]));
  const r = microbatch / graph.batch;
  const ops: OpSharding[] = [];
  const tensors = new Map<string, TensorSharding>();
  const collectives: Collective[] = [];
  for (let l = core.start; l < core.end; l++) {
    const layer = clustering.layers[l];
    for (let u = layer.unitStart; u < layer.unitEnd; u++) {
      const profile = profiles.get(profileKey(units[u], mesh, sub));
      if (!profile || profile.kernels.some((k) => !k.role)) return undefined;
      const solved = units[clustering.unitGraph.unitOfOp[profile.kernels[0]?.op ?? 0]] ?? units[u];
      const map = idMap(graph, solved, units[u]);
      const opComm = new Map<number, number>();
      for (const c of profile.collectives) {
        const bytes = c.bytes * (c.scales ? r : 1);
        // A ring's transfers shown without the attention they overlap (unitProfile.ts profiledCollectiveSeconds).
        const seconds = profiledCollectiveSeconds(c, bytes, mesh.logical, mesh.links);
        const opId = c.op !== undefined ? map(graph.ops[c.op].id) : `${units[u].name}`;
        if (c.op !== undefined) opComm.set(c.op, (opComm.get(c.op) ?? 0) + seconds);
        collectives.push({ kind: c.kind, axis: c.axis, ...(c.group ? { group: c.group } : {}), bytes, seconds, op: opId, reason: c.phase });
      }
      for (const k of profile.kernels) {
        const src = graph.ops[k.op];
        const id = map(src.id);
        const own = opById.get(id) ?? src;
        const role = k.role!;
        const specFor = (ids: readonly string[]) => ids.map((t) => { const x = tensorById.get(t); return x ? specOf(x, src, role, mesh.logical) : ''; });
        const inputSpecs = specFor(src.inputs);
        const outputSpecs = specFor(src.outputs);
        ops.push({
          op: id, name: own.name, strategy: STRATEGY[role], inputSpecs, outputSpecs,
          computeSeconds: priceOp(k.op, k.tiles), communicationSeconds: opComm.get(k.op) ?? 0,
        });
        [...src.inputs, ...src.outputs].forEach((t, j) => {
          const mt = map(t);
          const x = tensorById.get(mt);
          if (!x || tensors.has(mt)) return;
          tensors.set(mt, { tensor: mt, name: x.name, kind: x.kind, shape: x.shape, spec: j < src.inputs.length ? inputSpecs[j] : outputSpecs[j - src.inputs.length] });
        });
      }
    }
  }
  return stagePlan(core, mesh.logical, memory, {
    status: 'optimal', ops, tensors: [...tensors.values()], collectives, reshardingSeconds: 0,
    ilp: { variables: 0, constraints: 0, solveSeconds: 0 }, message: `template strategy (${mesh.variant}), not an ILP solution`,
  });
}
