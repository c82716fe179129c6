import { describe, expect, it } from 'vitest';
import { CLUSTER_PRESETS } from '../cluster/presets.ts';
import { createContext, costContext, manualProfileFn } from '../plan/context.ts';
import { defaultPlanOptions } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';
import { buildMeshSpace } from './meshSpace.ts';
import { profileKey, profileUnits, type ProfileFn } from './profileUnits.ts';
import { aheadOfProfiles, meshTables, searchTables } from './meshTables.ts';
import { usableAt } from './seqParallel.ts';
import { SearchPrep, searchStages, type SearchInput } from './search.ts';
import { layerCostTable } from './stageCosts.ts';
import type { UnitProfile } from './unitProfile.ts';

// GPT-tiny in 4 layers on 2 nodes of 4 V100s, template profiles (ZeRO-1): every mesh has ZeRO costs to re-price.
const cluster = CLUSTER_PRESETS['p3.16xlarge'].cluster(2, 4);
const graph = zooModel('gpt-tiny');
const strategy = { tensorParallel: true, expertParallel: false, zeroStage: 1 } as const;

function setup() {
  const ctx = createContext(graph, cluster, { ...defaultPlanOptions(graph), layers: 4, globalBatch: 16 });
  const space = buildMeshSpace(cluster);
  const memo = new Map<string, UnitProfile>();
  const cost = costContext(ctx, space, memo);
  const input: SearchInput = {
    cost, globalBatch: 16, microbatchCounts: [16, 8, 4, 2, 1], schedule: '1f1b', remat: ctx.remat,
    memoryLimitBytes: ctx.memoryLimitBytes, objective: 'step', tMaxRelativeGap: 1e-3, zeroLevels: [1, 2, 3],
  };
  return { ctx, space, memo, cost, input };
}

describe('the stage search built ahead of its profiles', () => {
  it('runs the steps of each sub-mesh once all its meshes are profiled and every job was handed out, not after stop, and hears a cancel between steps', async () => {
    const { ctx, space, memo, cost } = setup();
    const units = ctx.clustering.unitGraph.units;
    const groups = space.submeshes.map((s) => s.meshes.map((m) => m.id));
    const seen: number[] = [];
    // Yields as the CLI's Ctrl-C signal does (cli/interrupt.ts): to the event loop at most every 50 ms, else at once.
    let last = 0;
    const signal = {
      aborted: false,
      yieldToHost: () => (Date.now() - last < 50 ? Promise.resolve() : new Promise<void>((r) => setImmediate(() => { last = Date.now(); r(); }))),
    };
    const ahead = aheadOfProfiles(cost, units, groups, (g) => {
      // Every profile of the group's meshes is there when its work is asked for.
      for (const id of groups[g]) {
        const mesh = space.meshes[id];
        for (const u of units) expect(memo.has(profileKey(u, mesh, space.submeshes[mesh.shape]))).toBe(true);
      }
      return [() => {
        // Every solve was posted before any of the work ahead (it would delay the solver's thread).
        expect(handed).toBe(jobs);
        seen.push(g);
      }, () => { steps++; }];
    }, signal);
    let steps = 0;
    // Profiles answered one sub-mesh at a time, the last sub-mesh last.
    const base = manualProfileFn(ctx, strategy);
    const jobs = new Set(space.meshes.flatMap((m) => units.map((u) => profileKey(u, m, space.submeshes[m.shape])))).size;
    let handed = 0;
    let answered = 0;
    // The first jobs answer at once (template profiles), the others later (solves on another thread).
    const slow: ProfileFn = async (unit, mesh, sub) => {
      handed++;
      if (handed > 3) await new Promise((r) => setTimeout(r, 1 + (handed % 3)));
      answered++;
      return base(unit, mesh, sub);
    };
    await profileUnits(units, space, slow, undefined, signal, memo, Infinity, ahead.hooks);
    await new Promise((r) => setTimeout(r, 5));
    expect(answered).toBe(memo.size);
    expect([...seen].sort((a, b) => a - b)).toEqual(groups.map((_, g) => g));
    expect(steps).toBe(groups.length);
    // After stop, newly completed groups are not built.
    const late = setup();
    const lateSeen: number[] = [];
    const stopped = aheadOfProfiles(late.cost, units, groups, (g) => [() => { lateSeen.push(g); }]);
    stopped.stop();
    await profileUnits(units, late.space, base, undefined, undefined, late.memo, 1, stopped.hooks);
    await new Promise((r) => setTimeout(r, 5));
    expect(lateSeen).toEqual([]);
    // A cancel is heard between steps: the step that aborts is the last to run.
    const cancelled = setup();
    const ran: number[] = [];
    const abort = { aborted: false, reason: new Error('cancelled') };
    const ahead2 = aheadOfProfiles(cancelled.cost, units, groups, (g) => [0, 1, 2].map((k) => () => { ran.push(g * 10 + k); if (ran.length === 2) abort.aborted = true; }), abort);
    await profileUnits(units, cancelled.space, base, undefined, undefined, cancelled.memo, 1, ahead2.hooks);
    await new Promise((r) => setTimeout(r, 5));
    expect(ran).toHaveLength(2);
  });

  it('tables built mesh by mesh equal the table built for all meshes at once', async () => {
    const { ctx, space, memo, cost } = setup();
    await profileUnits(ctx.clustering.unitGraph.units, space, manualProfileFn(ctx, strategy), undefined, undefined, memo);
    const all = layerCostTable(cost, 4, (m) => usableAt(4, m));
    // The last mesh whose data-parallel axis divides the micro-batch of 4 (others offer the DP nothing).
    const id = space.meshes.filter((m) => usableAt(4, m)).at(-1)!.id;
    expect(space.meshes.some((m) => !usableAt(4, m))).toBe(true);
    const one = meshTables(cost, 4, [id]);
    expect(one[id]).toEqual(all[id]);
    expect(one[id]!.forwardSeconds.every((v) => v > 0)).toBe(true);
    // Only that mesh was built; searchTables builds the rest and keeps the one already built.
    expect(one.filter((t) => t !== undefined)).toHaveLength(1);
    const every = searchTables(cost, 4);
    expect(every[id]).toBe(one[id]);
    expect(every).toEqual(all);
  });

  it('a search whose sub-meshes were prepared ahead finds the same candidates and trace as one that was not', async () => {
    const a = setup();
    const b = setup();
    for (const s of [a, b]) await profileUnits(s.ctx.clustering.unitGraph.units, s.space, manualProfileFn(s.ctx, strategy), undefined, undefined, s.memo);
    const prep = new SearchPrep(b.input);
    for (let m = 0; m < b.space.submeshes.length; m += 2) for (const step of prep.steps(m)) step();
    const plain = await searchStages(a.input);
    const ahead = await searchStages(b.input, undefined, undefined, prep);
    expect(ahead.trace).toEqual(plain.trace);
    expect(ahead.candidates.map((c) => [c.microbatches, c.objectiveSeconds, c.stages.map((s) => [s.core.start, s.core.end, s.core.meshId, s.core.zero])]))
      .toEqual(plain.candidates.map((c) => [c.microbatches, c.objectiveSeconds, c.stages.map((s) => [s.core.start, s.core.end, s.core.meshId, s.core.zero])]));
    expect(plain.candidates.length).toBeGreaterThan(0);
  });
});
