import { describe, expect, it } from 'vitest';
import { CLUSTER_PRESETS } from '../cluster/presets.ts';
import { logicalMesh } from '../cluster/topology.ts';
import { backwardReshardSteps, commSeconds, reshardSeconds, reshardSteps } from './resharding.ts';
import { divisibleSpecs, formatSpec, type MeshCtx, replicatedAxes, specTiles } from './specs.ts';

const cluster = CLUSTER_PRESETS['p3.16xlarge'].cluster(2, 8);
const lm = logicalMesh(cluster, { nodeStart: 0, nodes: 2, gpuStart: 0, gpusPerNode: 8 }, [2, 8]);
const mesh: MeshCtx = { shape: lm.shape, axisLinks: lm.axisLinks };

describe('specs', () => {
  it('enumerates every divisible spec in Alpa notation, replicated first', () => {
    const specs = divisibleSpecs([16, 6], mesh).map(formatSpec);
    // dim 0 (16) splits over 2, 8 or both; dim 1 (6) only over axis 0 (2)
    expect(specs).toEqual(['RR', 'S1R', 'S0R', 'S01R', 'RS0', 'S1S0']);
    expect(specTiles(['S01', 'R'], mesh)).toBe(16);
    expect(replicatedAxes(['S1', 'R'], mesh)).toEqual([0]);
    expect(formatSpec([])).toBe('R');
  });
});

describe('resharding', () => {
  const bytes = 1 << 20;
  it('slicing is free, dropping a split is an all-gather, moving it to another dim an all-to-all', () => {
    expect(reshardSteps(bytes, ['R', 'R'], ['S1', 'R'], mesh)).toEqual([]);
    expect(reshardSteps(bytes, ['S1', 'R'], ['R', 'R'], mesh)).toEqual([{ kind: 'all-gather', axes: [1], bytes }]);
    expect(reshardSteps(bytes, ['S1', 'R'], ['R', 'S1'], mesh)).toEqual([{ kind: 'all-to-all', axes: [1], bytes }]);
    // S01 -> R gathers axis 0 on 1/8 shards, then axis 1 on the whole tensor
    expect(reshardSteps(bytes, ['S01', 'R'], ['R', 'R'], mesh)).toEqual([
      { kind: 'all-gather', axes: [0], bytes: bytes / 8 },
      { kind: 'all-gather', axes: [1], bytes },
    ]);
    expect(reshardSeconds(bytes, ['S0', 'R'], ['S0', 'R'], mesh)).toBe(0);
  });

  it('a parameter gradient is reduce-scattered where its weight was all-gathered', () => {
    expect(backwardReshardSteps(bytes, ['S1', 'R'], ['R', 'R'], mesh, true)).toEqual([{ kind: 'reduce-scatter', axes: [1], bytes }]);
    expect(backwardReshardSteps(bytes, ['S1', 'R'], ['R', 'R'], mesh, false)).toEqual([]);
    // a replicated weight used as a slice: the gradient sync of the weight sums the partial gradients
    expect(backwardReshardSteps(bytes, ['R', 'R'], ['S1', 'R'], mesh, true)).toEqual([]);
    expect(backwardReshardSteps(bytes, ['R', 'R'], ['S1', 'R'], mesh, false)).toEqual([{ kind: 'all-gather', axes: [1], bytes }]);
  });

  it('on two 8-GPU nodes as a 2x8 mesh, axis 0 crosses nodes and is far slower than axis 1', () => {
    const a0 = commSeconds({ kind: 'all-reduce', axes: [0], bytes: 64e6 }, mesh);
    const a1 = commSeconds({ kind: 'all-reduce', axes: [1], bytes: 64e6 }, mesh);
    expect(a0).toBeGreaterThan(5 * a1);
    const both = commSeconds({ kind: 'all-reduce', axes: [0, 1], bytes: 64e6 }, mesh);
    expect(both).toBeGreaterThan(a1);
  });
});
