import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import { zooModel } from '../zoo/index.ts';
import { buildStageCostGraph } from './buildCostGraph.ts';
import { backwardReshardSteps, reshardSeconds, stepsSeconds } from './resharding.ts';

describe('stage cost graph edges', () => {
  it('every cell is its resharding priced anew: the memo never hands one edge another\'s price', () => {
    // GPT-tiny's first layer on a 2 x 4 mesh over two nodes, training: edges of many tensor sizes, activation and
    // parameter gradients, several required specs per consumer group.
    const graph = zooModel('gpt-tiny');
    const stage = buildStageCostGraph({
      graph, opIds: graph.ops.filter((o) => o.path.includes('h.0')).map((o) => o.id), cluster: parseClusterSpec('p3.16xlarge:2x4'),
      submesh: { nodeStart: 0, nodes: 2, gpuStart: 0, gpusPerNode: 4 }, meshShape: [2, 4], mode: 'train', precision: 'fp16-mixed',
    });
    const mesh = stage.env.ctx.mesh;
    let cells = 0;
    const distinctBytes = new Set<number>();
    for (const e of stage.edges) {
      const bytes = stage.env.ctx.bytes(e.tensor);
      const grad = stage.env.gradient(e.tensor);
      distinctBytes.add(bytes);
      e.fromSpecs.forEach((src, i) => e.toSpecs.forEach((reqs, j) => {
        const forward = reqs.reduce((s, r) => s + reshardSeconds(bytes, src, r, mesh), 0);
        const backward = grad === 'none' ? 0
          : reqs.reduce((s, r) => s + stepsSeconds(backwardReshardSteps(bytes, src, r, mesh, grad === 'parameter'), mesh), 0);
        expect(e.forwardSeconds[i][j]).toBe(forward);
        expect(e.backwardSeconds[i][j]).toBe(backward);
        cells++;
      }));
    }
    expect(cells).toBeGreaterThan(200);
    expect(distinctBytes.size).toBeGreaterThan(2);
    expect(stage.edges.some((e) => e.forwardSeconds.flat().some((s) => s > 0))).toBe(true);
    expect(stage.edges.some((e) => e.backwardSeconds.flat().some((s) => s > 0) && stage.env.gradient(e.tensor) === 'parameter')).toBe(true);
  });
});
