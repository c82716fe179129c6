import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import { createHighsSolver, runIntra } from '../intra/index.ts';
import { defaultPlanOptions, plan } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';
import type { ShardingPlan } from '../intra/types.ts';
import { cachingIntra } from './cache.ts';

describe('cachingIntra', () => {
  it('shares the solves of equal sub-meshes across clusters and graph copies, with the same plans', async () => {
    const g = zooModel('gpt-350M');
    const options = defaultPlanOptions(g);
    const solver = createHighsSolver();
    let solves = 0;
    const cache = cachingIntra(async (input) => { solves++; return runIntra(input, solver); });
    const one = parseClusterSpec('p3.16xlarge:1x4');
    const two = parseClusterSpec('p3.16xlarge:2x4');
    const plain = await plan(g, two, options, undefined, undefined, { solver });
    await plan(g, one, options, undefined, undefined, { intra: cache.solve });
    const afterOne = solves;
    expect(afterOne).toBeGreaterThan(0);
    const cached = await plan(structuredClone(g), two, options, undefined, undefined, { intra: cache.solve });
    // Every sub-mesh inside one node of the 2-node cluster was solved for the 1-node cluster already.
    expect(cache.stats().hits).toBeGreaterThanOrEqual(afterOne);
    expect(plain.ok && cached.ok).toBe(true);
    if (plain.ok && cached.ok) {
      expect(cached.plan.stepSeconds).toBe(plain.plan.stepSeconds);
      expect(cached.plan.stages.map((s) => s.logicalMesh)).toEqual(plain.plan.stages.map((s) => s.logicalMesh));
    }
    // A different precision is a different solve.
    const before = solves;
    await plan(g, one, { ...options, precision: 'fp32' }, undefined, undefined, { intra: cache.solve });
    expect(solves).toBeGreaterThan(before);
  });

  it('keeps at most maxEntries answers, dropping the oldest', async () => {
    const g = zooModel('gpt-tiny');
    const cluster = parseClusterSpec('p3.16xlarge:1x8');
    const submesh = { nodeStart: 0, nodes: 1, gpuStart: 0, gpusPerNode: 8 };
    let solves = 0;
    const cache = cachingIntra(async () => { solves++; return {} as ShardingPlan; }, 2);
    const ask = (meshShape: [number, number]) => cache.solve({ graph: g, cluster, submesh, meshShape, mode: 'train', precision: 'fp16-mixed' });
    await ask([1, 8]);
    await ask([2, 4]);
    await ask([1, 8]);
    expect(solves).toBe(2);
    await ask([8, 1]); // evicts 1x8, the oldest
    await ask([2, 4]);
    expect(solves).toBe(3);
    await ask([1, 8]);
    expect(solves).toBe(4);
    expect(cache.stats()).toEqual({ calls: 6, hits: 2 });
  });
});
