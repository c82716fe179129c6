import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from './spec.ts';
import { alpaShapes, MAX_DEVICE_STATES, stageNodeQuantum, gpuGroups, logicalMeshShapes, submeshPlacements, submeshShapes } from './submeshes.ts';
import { logicalMesh, submeshDevices } from './topology.ts';

describe('sub-mesh shapes', () => {
  it("are Alpa's (1, 2^k) and (n, M) shapes", () => {
    expect(alpaShapes(4, 8)).toEqual([[1, 1], [1, 2], [1, 4], [1, 8], [2, 8], [3, 8], [4, 8]]);
    expect(alpaShapes(1, 2)).toEqual([[1, 1], [1, 2]]);
    // 16 nodes x 8 = 128 devices: still every shape.
    expect(alpaShapes(16, 8)).toHaveLength(3 + 16);
  });

  it('of a group larger than MAX_DEVICE_STATES devices are whole blocks of a power-of-two node quantum', () => {
    expect(MAX_DEVICE_STATES).toBe(128);
    expect(stageNodeQuantum(128, 8)).toBe(1);
    expect(alpaShapes(128, 8)).toEqual(Array.from({ length: 128 }, (_, k) => [k + 1, 8]));
    expect(stageNodeQuantum(2048, 8)).toBe(16);
    const big = alpaShapes(2048, 8);
    expect(big).toHaveLength(128);
    expect(big.every(([n, g]) => n % 16 === 0 && g === 8)).toBe(true);
    // Not a multiple of the quantum: the whole group is kept as a shape of its own.
    expect(alpaShapes(200, 8).slice(-2)).toEqual([[198, 8], [200, 8]]);
    expect(submeshShapes(parseClusterSpec('p3.16xlarge:2x8')).map((s) => `${s.nodes}x${s.gpusPerNode}`))
      .toEqual(['1x1', '1x2', '1x4', '1x8', '2x8']);
  });

  it('stay inside one GPU type on a heterogeneous cluster', () => {
    const c = parseClusterSpec('dgx-a100:2x8+dgx-h100:1x4');
    expect(gpuGroups(c)).toEqual([
      { gpu: 'A100-80GB', nodeStart: 0, nodes: 2, gpusPerNode: 8 },
      { gpu: 'H100-SXM', nodeStart: 2, nodes: 1, gpusPerNode: 4 },
    ]);
    const shapes = submeshShapes(c).map((s) => `${s.gpu}:${s.nodes}x${s.gpusPerNode}`);
    expect(shapes).toEqual(['A100-80GB:1x1', 'A100-80GB:1x2', 'A100-80GB:1x4', 'A100-80GB:1x8', 'A100-80GB:2x8',
      'H100-SXM:1x1', 'H100-SXM:1x2', 'H100-SXM:1x4']);
    const h = submeshPlacements(c, { gpu: 'H100-SXM', nodes: 1, gpusPerNode: 2 });
    expect(h).toEqual([{ nodeStart: 2, nodes: 1, gpuStart: 0, gpusPerNode: 2 }, { nodeStart: 2, nodes: 1, gpuStart: 2, gpusPerNode: 2 }]);
    expect(submeshDevices(c, h[1])).toEqual([18, 19]);
  });

  it('place whole-node shapes node-aligned', () => {
    const c = parseClusterSpec('p3.16xlarge:4x8');
    expect(submeshPlacements(c, { gpu: 'V100-16GB', nodes: 2, gpusPerNode: 8 }).map((m) => m.nodeStart)).toEqual([0, 2]);
  });

  it('logical meshes: every factorisation, axis 0 across nodes for (2, 8)', () => {
    expect(logicalMeshShapes({ nodes: 2, gpusPerNode: 8 })).toEqual([[1, 16], [2, 8], [4, 4], [8, 2], [16, 1]]);
    const c = parseClusterSpec('p3.16xlarge:2x8');
    const mesh = logicalMesh(c, { nodeStart: 0, nodes: 2, gpuStart: 0, gpusPerNode: 8 }, [2, 8]);
    expect(mesh.axisLinks[1].bandwidthBytesPerSecond).toBe(130e9);
    expect(mesh.axisLinks[0].bandwidthBytesPerSecond).toBeCloseTo(0.85 * 25e9 / 8 / 8, 0);
  });
});
