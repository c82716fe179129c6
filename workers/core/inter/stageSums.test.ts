import { describe, expect, it } from 'vitest';
import { CLUSTER_PRESETS } from '../cluster/presets.ts';
import { createContext, costContext, manualProfileFn } from '../plan/context.ts';
import { defaultPlanOptions } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';
import { layerCostTable, type LayerCosts } from './stageCosts.ts';
import { buildMeshSpace } from './meshSpace.ts';
import { profileUnits } from './profileUnits.ts';
import { buildStageProblem } from './stageProblem.ts';
import { activationCapacity, maxStagesThatFit, RECOMPUTES, sendEstimate, stageCore, zeroOptions,
  type OptionMeta, type StageProblemInput } from './stageOptions.ts';
import { boundaryBytesOf } from './search.ts';
import { dataParallelOf } from './seqParallel.ts';

// GPT-tiny in 4 layers (embedding and LM head tied) on 2 nodes of 4 V100s, template profiles (ZeRO-1, so every mesh
// with a data-parallel axis has ZeRO costs and the DP re-prices levels 1-3); on H100s the megatron runtime also
// overlaps the gradient reduction with the last backward (StageCore.hiddenReduceSeconds).
const CLUSTERS = { V100: CLUSTER_PRESETS['p3.16xlarge'].cluster(2, 4), H100: CLUSTER_PRESETS['dgx-h100'].cluster(2, 4) };
let cluster = CLUSTERS.V100;
const graph = zooModel('gpt-tiny');
const strategy = { tensorParallel: true, expertParallel: false, zeroStage: 1 } as const;

async function tables(batch: number) {
  const ctx = createContext(graph, cluster, { ...defaultPlanOptions(graph), layers: 4 });
  const space = buildMeshSpace(cluster);
  const memo = await profileUnits(ctx.clustering.unitGraph.units, space, manualProfileFn(ctx, strategy));
  const cost = costContext(ctx, space, memo);
  return { space, cost, ctx, tables: layerCostTable(cost, batch) };
}

function plainSum(a: Float64Array, start: number, end: number): number {
  let s = 0;
  for (let k = start; k < end; k++) s += a[k];
  return s;
}

/** The stage DP's options the direct way: a StageCore per option, its ZeRO options, memory, then dominance. */
function reference(x: StageProblemInput) {
  const L = x.layers;
  const M = x.space.submeshes.length;
  const optStart: number[] = [];
  const dropped = { memory: 0, dominated: 0 };
  const opts: { s: number; mx: number; ms: number; once: number; f: number; t: number; capacity: number; meta: OptionMeta; cap: number; units: number }[] = [];
  for (let l = 0; l < L; l++) for (let i = 0; i < L; i++) for (let m = 0; m < M; m++) {
    optStart.push(opts.length);
    if (i < l) continue;
    const sub = x.space.submeshes[m];
    const send = sendEstimate(x.cluster, sub, i + 1 < L ? x.boundaryBytes[i + 1] : 0, x.space.groups[sub.group].gpusPerNode);
    const cap = Math.min(x.maxStages, L - l);
    const units = x.unitsPerLayer ? x.unitsPerLayer.slice(l, i + 1).reduce((a, b) => a + b, 0) : 1;
    const local: typeof opts = [];
    for (const mesh of sub.meshes) {
      const table = x.tables[mesh.id];
      if (!table || x.microbatch % dataParallelOf(mesh.logical, mesh.variant) !== 0) continue;
      for (const remat of x.remat) for (const core of zeroOptions(table, stageCore(table, mesh.id, l, i + 1, remat), x.zeroLevels, x.microbatches)) {
        const capacity = activationCapacity(core, x.memoryLimitBytes[sub.group]);
        const ms = maxStagesThatFit(core, x.schedule, x.microbatches, x.memoryLimitBytes[sub.group], cap);
        if (ms === 0 && !(x.unitsPerLayer && capacity >= 1)) { dropped.memory++; continue; }
        const t = core.forwardSeconds + core.backwardSeconds;
        const once = l === 0 ? core.gradientSyncSeconds : 0;
        local.push({ s: t + 2 * send + once, mx: Math.max(t, send), ms, once, f: core.forwardSeconds, t, capacity, meta: { core, sendSeconds: send }, cap, units });
      }
    }
    const key = (o: (typeof opts)[number]) => (x.unitsPerLayer ? [o.f, o.t, o.once, -o.capacity, -o.ms] : [o.s, o.mx, -o.ms, o.s - o.once]);
    local.forEach((a, ai) => {
      const beaten = local.some((b, bi) => {
        const [kb, ka] = [key(b), key(a)];
        return bi !== ai && kb.every((v, j) => v <= ka[j]) && (kb.some((v, j) => v < ka[j]) || bi < ai);
      });
      if (beaten) dropped.dominated++; else opts.push(a);
    });
  }
  optStart.push(opts.length);
  return { optStart, opts, dropped };
}

describe('stage options from running sums', () => {
  it('a stage costs exactly the sums of its layers, summed anew (bit for bit)', async () => {
    cluster = CLUSTERS.V100;
    const { space, tables: t } = await tables(8);
    for (const mesh of space.meshes) {
      const table = t[mesh.id] as LayerCosts;
      for (let s = 0; s < 4; s++) for (let e = s + 1; e <= 4; e++) {
        const c = stageCore(table, mesh.id, s, e, 'none');
        expect(c.forwardSeconds).toBe(plainSum(table.forwardSeconds, s, e));
        expect(c.communicationSeconds).toBe(plainSum(table.communicationSeconds, s, e));
        expect(c.computeSeconds).toBe(plainSum(table.computeSeconds, s, e) + 0 + plainSum(table.noRematSeconds, s, e));
        const full = stageCore(table, mesh.id, s, e, 'full');
        expect(full.backwardSeconds).toBe(plainSum(table.backwardSeconds, s, e) + plainSum(table.recomputeSeconds, s, e) + 0);
        expect(full.perMicrobatchBytes).toBe(plainSum(table.rematActivationBytes, s, e));
        expect(full.transientBytes).toBe(Math.max(0, ...table.recomputePeakBytes.slice(s, e)) + Math.max(0, ...table.bufferBytes.slice(s, e)));
      }
    }
  });

  for (const [name, perPart, gpu] of [['1F1B prices', false, 'V100'], ['every schedule\'s parts', true, 'V100'], ['H100s', true, 'H100']] as const) {
    it(`buildStageProblem keeps exactly the options the per-option path keeps (${name})`, async () => {
      cluster = CLUSTERS[gpu];
      const { space, cost, ctx, tables: t } = await tables(8);
      // A limit that about half of the whole-model options on one GPU exceed, so that memory leaves options out.
      const whole = (t[0] as LayerCosts).paramBytes.reduce((a, b) => a + b, 0);
      const input: StageProblemInput = {
        cluster, space, tables: t, layers: 4, boundaryBytes: boundaryBytesOf(ctx.clustering), microbatch: 8, microbatches: 4,
        schedule: '1f1b', remat: RECOMPUTES, memoryLimitBytes: [whole * 4], training: true, objective: 'step', maxStages: 4,
        zeroLevels: [1, 2, 3], ...(perPart ? { unitsPerLayer: [1, 1, 1, 1] } : {}),
      };
      const built = buildStageProblem(input);
      const got = { ...built, meta: Array.from({ length: built.problem.optSum.length }, (_, o): OptionMeta => built.metaOf(o)) };
      const want = reference(input);
      expect(Array.from(got.problem.optStart)).toEqual(want.optStart);
      expect(Array.from(got.problem.optSum)).toEqual(want.opts.map((o) => o.s));
      expect(Array.from(got.problem.optMax)).toEqual(want.opts.map((o) => o.mx));
      expect(Array.from(got.problem.optMaxStages)).toEqual(want.opts.map((o) => o.ms));
      expect(Array.from(got.problem.optOnce!)).toEqual(want.opts.map((o) => o.once));
      expect(Array.from(got.parts.capacity)).toEqual(want.opts.map((o) => o.capacity));
      expect(Array.from(got.parts.units)).toEqual(want.opts.map((o) => o.units));
      expect(Array.from(got.parts.weight!)).toEqual(want.opts.map((o) => o.meta.core.weightGradientSeconds));
      expect(got.meta).toEqual(want.opts.map((o) => o.meta));
      // The case exercises what it claims: re-priced ZeRO levels (all of them where every part counts; none: no
      // data-parallel axis) and every recomputation kept somewhere, and options left out by memory and by dominance.
      expect(new Set(got.meta.map((m) => m.core.zero))).toEqual(new Set(perPart ? [undefined, 1, 2, 3] : [undefined, 1, 2]));
      // (H100: attention is fused, so selective recomputation has nothing to save and is dominated.)
      expect(new Set(got.meta.map((m) => m.core.recompute))).toEqual(new Set(gpu === 'V100' ? RECOMPUTES : ['none', 'full']));
      expect(want.dropped.memory).toBeGreaterThan(0);
      expect(want.dropped.dominated).toBeGreaterThan(0);
      expect(cost.space).toBe(space);
      // Only on H100s is part of the gradient reduction hidden behind the backward.
      expect(got.meta.some((m) => (m.core.hiddenReduceSeconds ?? 0) > 0)).toBe(gpu === 'H100');
    });
  }
});
