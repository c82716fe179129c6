/**
 * A hand-fixed pipeline (the baselines' shape): blocks split evenly over `pp` stages (embedding with the first,
 * head with the last), each stage on dp * tp devices viewed as a (dp, tp) logical mesh, a fixed sharding strategy.
 * The micro-batch count and per-stage rematerialisation are still chosen (the fastest that fits), as a user of
 * Megatron-LM would tune them.
 */
import type { Layer, LayerClustering } from '../inter/layerConstruction.ts';
import type { ManualStrategy } from '../inter/manualProfile.ts';
import type { Candidate, CandidateStage } from '../inter/search.ts';
import { layerCostTable, type CostContext } from '../inter/stageCosts.ts';
import { buildMeshSpace, type MeshSpace } from '../inter/meshSpace.ts';
import { profileUnits } from '../inter/profileUnits.ts';
import { plainSchedule } from '../inter/schedulePricing.ts';
import { inFlight, maxStagesThatFit, sendEstimate, stageCore, memoryTotal, stageMemory } from '../inter/stageOptions.ts';
import { inputBytesOfRange } from '../inter/units.ts';
import { costContext, manualProfileFn, type PlanContext } from '../inter/context.ts';
import type { UnitProfile } from '../inter/unitProfile.ts';
import { variantWith } from '../inter/seqParallel.ts';

/** One layer per unit: the granularity hand-made pipelines split at. */
export function unitClustering(c: LayerClustering): LayerClustering {
  const units = c.unitGraph.units;
  const layers: Layer[] = units.map((u, k) => ({
    index: k, unitStart: k, unitEnd: k + 1, name: u.name, forwardFlops: u.forwardFlops,
    inputBytes: inputBytesOfRange(c.crossings, k, k + 1),
  }));
  return { unitGraph: c.unitGraph, crossings: c.crossings, layers, maxInputBytes: Math.max(...layers.map((l) => l.inputBytes)) };
}

/** Stage ranges [start, end) over units: repeated blocks split evenly, 'pre'/'post' units with the ends. */
export function uniformRanges(c: LayerClustering, pp: number): [number, number][] | null {
  const units = c.unitGraph.units;
  const K = units.length;
  const first = units[0].name === 'pre' && c.unitGraph.hinted ? 1 : 0;
  const last = units[K - 1].name === 'post' && c.unitGraph.hinted ? K - 1 : K;
  const blocks = last - first;
  if (pp < 1 || blocks < pp) return null;
  const out: [number, number][] = [];
  for (let k = 0; k < pp; k++) {
    const s = k === 0 ? 0 : first + Math.floor((k * blocks) / pp);
    const e = k === pp - 1 ? K : first + Math.floor(((k + 1) * blocks) / pp);
    out.push([s, e]);
  }
  return out;
}

export interface UniformSpec {
  readonly dp: number;
  readonly tp: number;
  readonly pp: number;
  readonly strategy: ManualStrategy;
}

export type UniformResult =
  | { readonly ok: true; readonly candidate: Candidate; readonly space: MeshSpace; readonly clustering: LayerClustering; readonly feasible: boolean; readonly cost: CostContext }
  | { readonly ok: false; readonly reason: string };

/** Shared profile memo per strategy (keys do not name the strategy). */
export type ProfileMemo = Map<string, Map<string, UnitProfile>>;

export async function uniformCandidate(ctx: PlanContext, spec: UniformSpec, memo: ProfileMemo): Promise<UniformResult> {
  const { dp, tp, pp } = spec;
  const clustering = unitClustering(ctx.clustering);
  const ranges = uniformRanges(clustering, pp);
  if (!ranges) return { ok: false, reason: `pp=${pp} exceeds the ${clustering.layers.length} blocks` };
  // Context parallelism splits axis 0 into dp x cp (inter/seqParallel.ts); the variant names the SP/CP choice.
  const cp = spec.strategy.contextParallel?.degree ?? 1;
  const d = dp * cp * tp;
  const variant = variantWith('default', { sp: spec.strategy.sequenceParallel === true && tp > 1, cp, cpKind: spec.strategy.contextParallel?.kind ?? 'ring' });
  const space = buildMeshSpace(ctx.cluster, {
    allNodeCounts: true,
    submesh: (s) => s[0] * s[1] === d,
    logical: (l) => l[0] === dp * cp && l[1] === tp,
    variants: [variant],
  });
  if (space.groups.length !== 1) return { ok: false, reason: 'uniform baselines need a homogeneous cluster' };
  if (space.submeshes.length !== 1 || space.meshes.length !== 1) return { ok: false, reason: `no ${dp * cp}x${tp} sub-mesh fits the cluster's nodes` };
  if (space.groups[0].devices !== d * pp) return { ok: false, reason: `dp*${cp > 1 ? 'cp*' : ''}tp*pp = ${d * pp} differs from the ${space.groups[0].devices} GPUs` };
  const key = JSON.stringify(spec.strategy);
  let profiles = memo.get(key);
  if (!profiles) memo.set(key, (profiles = new Map()));
  await profileUnits(clustering.unitGraph.units, space, manualProfileFn(ctx, spec.strategy), undefined, undefined, profiles);
  const cost = costContext(ctx, space, profiles, clustering);
  const sub = space.submeshes[0];
  const limit = ctx.memoryLimitBytes[0];
  const schedule = ctx.training ? plainSchedule(ctx.options.schedule) : 'inference';
  const K = clustering.unitGraph.units.length;
  let best: { candidate: Candidate; feasible: boolean } | null = null;
  for (const B of ctx.microbatchCounts) {
    const b = ctx.options.globalBatch / B;
    if (b % dp !== 0) continue;
    const table = layerCostTable(cost, b)[0];
    const r = b / ctx.graph.batch;
    let feasible = true;
    const stages: CandidateStage[] = ranges.map(([s, e], k) => {
      const options = ctx.remat.map((remat) => stageCore(table, 0, s, e, remat));
      const fits = options.find((c) => maxStagesThatFit(c, schedule, B, limit, pp - k) >= pp - k);
      if (!fits) feasible = false;
      const core = fits ?? options.reduce((a, c) => (memoryTotal(stageMemory(c, inFlight(schedule, pp - k, B))) < memoryTotal(stageMemory(a, inFlight(schedule, pp - k, B))) ? c : a));
      return { core, submesh: sub };
    });
    let sum = 0;
    let mx = 0;
    let gs = 0;
    stages.forEach((st, k) => {
      const send = k + 1 < stages.length ? sendEstimate(ctx.cluster, sub, inputBytesOfRange(clustering.crossings, st.core.end, K) * r, space.groups[0].gpusPerNode) : 0;
      const t = st.core.forwardSeconds + (ctx.training ? st.core.backwardSeconds : 0);
      sum += t + 2 * send;
      mx = Math.max(mx, t, send);
      gs = Math.max(gs, st.core.gradientSyncSeconds);
    });
    const objectiveSeconds = sum + (B - 1) * mx + gs;
    const candidate: Candidate = { microbatches: B, microbatch: b, objectiveSeconds, stages };
    if (!best || (feasible && !best.feasible) || (feasible === best.feasible && objectiveSeconds < best.candidate.objectiveSeconds)) best = { candidate, feasible };
  }
  if (!best) return { ok: false, reason: `no micro-batch count gives micro-batches divisible by dp=${dp}` };
  return { ok: true, candidate: best.candidate, space, clustering, feasible: best.feasible, cost };
}
