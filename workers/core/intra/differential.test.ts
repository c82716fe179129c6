import { describe, expect, it } from 'vitest';
import { rng } from '../../../bench/fuzz/mutate.ts';
import { CLUSTER_PRESETS } from '../cluster/presets.ts';
import { GraphBuilder } from '../ir/builder.ts';
import type { ModelGraph } from '../ir/types.ts';
import { createHighsSolver } from '../solver/highs.ts';
import { buildStageCostGraph } from './buildCostGraph.ts';
import { choiceCost, type CostGraph } from './costGraph.ts';
import { type IntraInput, runIntra } from './index.ts';

/** A random chain of <= 8 ops (matmuls with fresh weights, gelu, residual adds, softmax) on x [4, 8]. */
function randomOpGraph(seed: number): ModelGraph {
  const r = rng(seed);
  const b = new GraphBuilder({ name: `random-${seed}`, source: 'test', batch: 4 });
  let x = b.tensor({ name: 'x', shape: [4, 8], dtype: 'f16', kind: 'activation', batchDim: 0 });
  const made: string[] = [x];
  const ops = 3 + Math.floor(r() * 6);
  let dots = 0;
  for (let i = 0; i < ops; i++) {
    const pick = r();
    const width = b.shape(x)[1];
    if (pick < 0.4 && dots < 3) {
      dots++;
      x = b.linear(`m/h.0/fc${i}`, x, b.param(`w${i}`, [width, r() < 0.5 ? 8 : 16], 'f16'));
    } else if (pick < 0.6) {
      x = b.elementwise(`m/h.0/gelu${i}`, 'gelu', [x]);
    } else if (pick < 0.8) {
      const same = made.filter((t) => b.shape(t)[1] === width && t !== x);
      x = same.length ? b.elementwise(`m/h.0/add${i}`, 'add', [x, same[Math.floor(r() * same.length)]]) : b.elementwise(`m/h.0/relu${i}`, 'relu', [x]);
    } else {
      x = b.softmax(`m/h.0/softmax${i}`, x, 1);
    }
    made.push(x);
  }
  return b.build();
}

function bruteForce(g: CostGraph): number {
  let best = Infinity;
  const choice = g.nodes.map(() => 0);
  const visit = (v: number): void => {
    if (v === g.nodes.length) { best = Math.min(best, choiceCost(g, choice)); return; }
    for (let k = 0; k < g.nodes[v].costSeconds.length; k++) { choice[v] = k; visit(v + 1); }
  };
  visit(0);
  return best;
}

describe('runIntra on random op graphs', () => {
  const solver = createHighsSolver();
  const cluster = CLUSTER_PRESETS['dgx-h100'].cluster(1, 2);

  it('matches brute force over every strategy combination on 30 seeded graphs of <= 8 ops, and the plan adds up to it', async () => {
    for (let seed = 100; seed < 130; seed++) {
      const graph = randomOpGraph(seed);
      expect(graph.ops.length).toBeLessThanOrEqual(8);
      const input: IntraInput = {
        graph, cluster, submesh: { nodeStart: 0, nodes: 1, gpuStart: 0, gpusPerNode: 2 }, meshShape: seed % 2 ? [1, 2] : [2, 1],
        mode: 'train', precision: 'bf16-mixed', mipRelGap: 0,
      };
      const stage = buildStageCostGraph(input);
      for (const n of stage.graph.nodes) expect(n.costSeconds.length).toBeLessThanOrEqual(4);
      const best = bruteForce(stage.graph);
      const plan = await runIntra(input, solver);
      expect(plan.status).toBe('optimal');
      // the plan's forward + backward + once-per-step gradient sync (one micro-batch) is the ILP objective
      expect(plan.objectiveSeconds + plan.gradientSyncSeconds, `seed ${seed}`).toBeCloseTo(best, 12);
      expect(plan.objectiveSeconds).toBeCloseTo(plan.cost.computeSeconds + plan.cost.communicationSeconds + plan.cost.reshardingSeconds, 12);
      // collective reasons partition the cost terms
      const sum = (reasons: string[]) => plan.collectives.filter((c) => reasons.includes(c.reason)).reduce((s, c) => s + c.seconds, 0);
      expect(sum(['forward', 'backward'])).toBeCloseTo(plan.cost.communicationSeconds, 12);
      expect(sum(['resharding'])).toBeCloseTo(plan.cost.reshardingSeconds, 12);
      expect(sum(['gradient-sync', 'weight-update'])).toBeCloseTo(plan.gradientSyncSeconds, 12);
    }
  });
});
