import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import { createHighsSolver, runIntra } from '../intra/index.ts';
import { defaultPlanOptions, plan } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';
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
});
