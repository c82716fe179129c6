import { describe, expect, it } from 'vitest';
import { runLearn } from '../../../workers/core/whatif/learn.ts';
import { zooModel } from '../../../workers/core/zoo/index.ts';
import { defaultPlanOptions } from '../../../workers/core/plan/defaults.ts';
import { formatBytes, formatPercent, formatSeconds } from '../../format.ts';
import { exampleCluster, exampleFor, exampleText, LEARN_EXAMPLES } from './examples.ts';
import { inNodeShare } from './figures.ts';

describe('guided examples', () => {
  it('cover the paper\'s three families and one Llama, each a zoo model on a preset cluster', () => {
    expect(LEARN_EXAMPLES.map((e) => e.family)).toEqual(['GPT', 'MoE', 'Wide-ResNet', 'Llama']);
    expect(LEARN_EXAMPLES.map((e) => exampleCluster(e).name)).toEqual(['p3.16xlarge:8x8', 'p3.16xlarge:4x8', 'p3.16xlarge:4x8', 'dgx-h100:2x8']);
    expect(exampleFor('gpt-39B')?.id).toBe('gpt');
    expect(exampleFor('gpt-2.6B')).toBeUndefined();
  });

  // The text is built from the core's numbers for the scenario: checked here against them (template sharding, no
  // ILP, to keep the test short; the page shows the same kind of numbers from the full search).
  it('GPT-39B on 8x8 V100: the text states the core\'s cross-node bytes, ratio, in-node share and winner', async () => {
    const e = LEARN_EXAMPLES[0];
    const g = zooModel(e.model);
    const r = await runLearn(g, exampleCluster(e), defaultPlanOptions(g), { intra: 'manual' });
    const row = (k: string) => {
      const x = r.rows.find((y) => y.kind === k);
      if (!x || !x.ok) throw new Error(`${k}: no plan`);
      return x;
    };
    const intra = row('intra-only'), inter = row('inter-only'), combined = row('combined');
    const text = exampleText(e, r);
    expect(r.winner).toBe('combined');
    expect(text).toContain(`Intra-op only shards every layer over all GPUs and moves ${formatBytes(intra.traffic.crossNode.bytes)} across nodes per step (${formatSeconds(intra.traffic.crossNode.seconds)} of transfers)`);
    expect(text).toMatch(/its step is [\d.]+x the combined plan's/);
    expect(Number(/its step is ([\d.]+)x/.exec(text)?.[1])).toBeCloseTo(intra.stepSeconds.value / combined.stepSeconds.value, 1);
    expect(text).toContain(`Inter-op only cuts the model into ${inter.stages} pipeline stages`);
    expect(text).toContain(`idling ${formatPercent(inter.bubbleFraction.value)} of the step`);
    expect(text).toContain(`${formatPercent(inNodeShare(combined))} of its communication bytes stay inside nodes`);
    expect(text).toContain(`Combined (Meshplan) is fastest at ${formatSeconds(combined.stepSeconds.value)} per step.`);
    expect(inNodeShare(combined)).toBeGreaterThan(inNodeShare(intra));
  }, 120_000);
});
