import { afterAll, describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../core/cluster/spec.ts';
import { runIntra, createHighsSolver } from '../core/intra/index.ts';
import type { IntraInput } from '../core/intra/types.ts';
import { zooModel } from '../core/zoo/index.ts';
import { INTRA_JOB, poolIntraFn, type IntraJobInput } from './intraJob.ts';
import { createNodePool } from './nodePool.ts';
import type { JobPool } from './types.ts';

describe('intra-op pass as a pool job', () => {
  const pool = createNodePool({ size: 1 });
  afterAll(() => pool.terminate());
  const graph = zooModel('gpt-tiny');
  const layer0 = graph.ops.filter((o) => o.path.includes('h.0')).map((o) => o.id);
  const input: IntraInput = {
    graph, opIds: layer0, cluster: parseClusterSpec('p3.16xlarge:1x2'), submesh: { nodeStart: 0, nodes: 1, gpuStart: 0, gpusPerNode: 2 },
    meshShape: [1, 2], mode: 'train', precision: 'fp16-mixed', timeLimitSeconds: 10,
  };

  it('gives the plan runIntra gives in-process, sending the graph to a worker once', async () => {
    const sent: boolean[] = [];
    const counting: JobPool = {
      size: pool.size,
      terminate: () => pool.terminate(),
      run: (job, onProgress, signal) => {
        if (job.name === INTRA_JOB) sent.push((job.input as IntraJobInput).graph !== undefined);
        return pool.run(job, onProgress, signal);
      },
    };
    const intra = poolIntraFn(counting);
    const remote = await intra(input);
    const again = await intra({ ...input, meshShape: [2, 1] });
    const local = await runIntra(input, createHighsSolver());
    expect(remote.status).toBe('optimal');
    expect(remote.objectiveSeconds).toBeCloseTo(local.objectiveSeconds, 12);
    expect(remote.ops.map((o) => o.strategy)).toEqual(local.ops.map((o) => o.strategy));
    expect(again.meshShape).toEqual([2, 1]);
    expect(sent).toEqual([true, false]); // the first job of the graph carries it, the worker holds it for the next
  });
});
