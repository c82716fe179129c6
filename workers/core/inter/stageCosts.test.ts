import { describe, expect, it } from 'vitest';
import { CLUSTER_PRESETS } from '../cluster/presets.ts';
import { createContext, costContext, manualProfileFn } from '../plan/context.ts';
import { defaultPlanOptions } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';
import { layerCostTable } from './stageCosts.ts';
import { buildMeshSpace } from './meshSpace.ts';
import { profileUnits } from './profileUnits.ts';
import { inFlight, maxStagesThatFit, memoryTotal, stageCore, stageMemory } from './stageOptions.ts';

const cluster = CLUSTER_PRESETS['p3.16xlarge'].cluster(1, 4);
const graph = zooModel('gpt-tiny');
const ctx = createContext(graph, cluster, { ...defaultPlanOptions(graph), layers: 4 });
const strategy = { tensorParallel: true, expertParallel: false, zeroStage: 1 } as const;

describe('stage cost table', () => {
  it('profiles each distinct unit once per logical mesh', async () => {
    const space = buildMeshSpace(cluster);
    // (1,1); (1,2) as 1x2, 2x1; (1,4) as 1x4, 2x2, 4x1
    expect(space.meshes.map((m) => m.logical.join('x'))).toEqual(['1x1', '1x2', '2x1', '1x4', '2x2', '4x1']);
    const calls: string[] = [];
    const profile = manualProfileFn(ctx, strategy);
    const memo = await profileUnits(ctx.clustering.unitGraph.units, space, async (u, m, s) => { calls.push(`${u.name}@${m.logical}`); return profile(u, m, s); });
    // 4 units (pre, layer 0, layer 1, post), 3 distinct: 3 x 6 meshes
    expect(calls.length).toBe(18);
    expect(calls.some((c) => c.startsWith('layer 1'))).toBe(false);
    expect(memo.size).toBe(18);
  });

  it('identical layers cost the same; a stage is the sum of its layers; remat trades time for memory', async () => {
    const space = buildMeshSpace(cluster);
    const memo = await profileUnits(ctx.clustering.unitGraph.units, space, manualProfileFn(ctx, strategy));
    const cost = costContext(ctx, space, memo);
    const tables = layerCostTable(cost, 4);
    const mesh = space.meshes.find((m) => m.logical.join('x') === '2x2')!;
    const t = tables[mesh.id];
    expect(t.forwardSeconds[1]).toBe(t.forwardSeconds[2]);
    expect(t.backwardSeconds[1]).toBe(t.backwardSeconds[2]);
    const both = stageCore(t, mesh.id, 1, 3, false);
    expect(both.forwardSeconds).toBeCloseTo(2 * t.forwardSeconds[1], 15);
    expect(both.paramBytes).toBeCloseTo(2 * t.paramBytes[1], 6);
    const remat = stageCore(t, mesh.id, 1, 3, true);
    expect(remat.backwardSeconds).toBeCloseTo(both.backwardSeconds + both.forwardSeconds, 15);
    expect(remat.perMicrobatchBytes).toBeLessThan(both.perMicrobatchBytes);
    // 1F1B: the first of 4 stages holds 4 micro-batches, GPipe all 16.
    expect(inFlight('1f1b', 4, 16)).toBe(4);
    expect(inFlight('gpipe', 4, 16)).toBe(16);
    expect(inFlight('eager-1f1b', 4, 16)).toBe(7);
    const m4 = memoryTotal(stageMemory(both, 4));
    expect(maxStagesThatFit(both, '1f1b', 16, m4, 16)).toBe(4);
    // Smaller micro-batches: less activation memory, and the weights do not shrink.
    const small = stageCore(layerCostTable(cost, 1)[mesh.id], mesh.id, 1, 3, false);
    expect(small.perMicrobatchBytes).toBeCloseTo(both.perMicrobatchBytes / 4, 6);
    expect(small.paramBytes).toBe(both.paramBytes);
  });

  it('the embedding tied with the LM head is held, reduced and updated once by a stage with both', async () => {
    const space = buildMeshSpace(cluster);
    const memo = await profileUnits(ctx.clustering.unitGraph.units, space, manualProfileFn(ctx, strategy));
    const tables = layerCostTable(costContext(ctx, space, memo), 8);
    const t = tables[0];
    expect(t.shared.length).toBeGreaterThan(0);
    const whole = stageCore(t, 0, 0, 4, false);
    const sum = t.paramBytes.reduce((a, b) => a + b, 0);
    const tied = t.shared.reduce((a, p) => a + p.paramBytes, 0);
    expect(whole.paramBytes).toBeCloseTo(sum - tied, 6);
    // data parallel over 2 devices: the tied gradient is all-reduced and updated once, not by both readers
    const dp = space.meshes.find((m) => m.logical.join('x') === '2x1')!;
    const d = tables[dp.id];
    const tiedSync = d.shared.reduce((a, p) => a + p.syncSeconds, 0);
    expect(tiedSync).toBeGreaterThan(0);
    const syncSum = d.gradientSyncSeconds.reduce((a, b) => a + b, 0);
    expect(stageCore(d, dp.id, 0, 4, true).gradientSyncSeconds).toBeCloseTo(syncSum - tiedSync, 12);
    // split across two stages, each reduces and updates its own copy
    expect(stageCore(d, dp.id, 0, 2, true).gradientSyncSeconds + stageCore(d, dp.id, 2, 4, true).gradientSyncSeconds).toBeCloseTo(syncSum, 12);
  });
});
