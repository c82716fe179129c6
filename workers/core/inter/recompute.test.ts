import { describe, expect, it } from 'vitest';
import { CLUSTER_PRESETS } from '../cluster/presets.ts';
import { GraphBuilder } from '../ir/builder.ts';
import { attentionCoreOps, attentionFlops } from '../ir/attention.ts';
import { createContext, costContext, manualProfileFn } from '../plan/context.ts';
import { defaultPlanOptions } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';
import { buildMeshSpace } from './meshSpace.ts';
import { profileUnits } from './profileUnits.ts';
import { layerCostTable } from './stageCosts.ts';
import { stageCore } from './stageOptions.ts';

describe('attention cores (selective recomputation, ir/attention.ts)', () => {
  it('finds Q.K^T -> scale/mask -> softmax -> P.V in zoo GPT and Llama (GQA) layers, and an ONNX-style chain', () => {
    for (const [name, layers] of [['gpt-tiny', 2], ['llama-tiny', 2]] as const) {
      const g = zooModel(name);
      const core = attentionCoreOps(g);
      const names = [...core].map((i) => g.ops[i].name.split('/').pop());
      expect(names.filter((n) => n === 'softmax')).toHaveLength(layers);
      expect(core.size).toBe(4 * layers); // scores, scale_mask, softmax, context
      expect(names.sort()).toEqual(Array(layers).fill(['context', 'scale_mask', 'scores', 'softmax']).flat().sort());
    }
    // MatMul -> Div -> Add(mask) -> Softmax -> Dropout -> MatMul as an ONNX export lays it out; a router softmax
    // (logits from a weight) is no attention core.
    const b = new GraphBuilder({ name: 'onnx-like', source: 'test', batch: 2 });
    const q = b.input('q', [2, 4, 16, 8], 'f16', 0);
    const k = b.input('k', [2, 4, 8, 16], 'f16', 0);
    const v = b.input('v', [2, 4, 16, 8], 'f16', 0);
    const mask = b.constant('mask', [16, 16], 'f16');
    const qa = b.elementwise('h/q_copy', 'copy', [q]);
    const s = b.dot('h/MatMul', qa, k, { lhsBatch: [0, 1], rhsBatch: [0, 1], lhsContract: [3], rhsContract: [2] });
    const d = b.elementwise('h/Div', 'div', [s]);
    const m = b.elementwise('h/Add', 'add', [d, mask]);
    const p = b.softmax('h/Softmax', m, 3);
    const dr = b.elementwise('h/Dropout', 'dropout', [p]);
    b.dot('h/MatMul_1', dr, v, { lhsBatch: [0, 1], rhsBatch: [0, 1], lhsContract: [3], rhsContract: [2] });
    const x = b.input('x', [2, 16], 'f16', 0);
    const w = b.param('router', [16, 4], 'f16');
    b.softmax('router/softmax', b.linear('router/logits', x, w), 1);
    const g = b.build();
    const core = attentionCoreOps(g);
    expect([...core].map((i) => g.ops[i].name).sort()).toEqual(['h/Add', 'h/Div', 'h/Dropout', 'h/MatMul', 'h/MatMul_1', 'h/Softmax']);
  });
});

describe('recompute per stage: none, selective, full on one GPT layer (hand-computed)', () => {
  it("selective drops the attention core's 2·a·s²·b bytes and recomputes its FLOPs; full keeps the layer input", async () => {
    // One block: hidden h = 64, a = 4 heads, s = 32, micro-batch b = 8, fp16 activations, one V100.
    const h = 64, a = 4, s = 32, b = 8;
    const graph = zooModel('gpt-tiny', { dims: { layers: 1 } });
    const cluster = CLUSTER_PRESETS['p3.16xlarge'].cluster(1, 1);
    const ctx = createContext(graph, cluster, { ...defaultPlanOptions(graph), layers: 3 });
    expect(ctx.remat).toEqual(['none', 'full', 'selective']);
    const space = buildMeshSpace(cluster);
    const memo = await profileUnits(ctx.clustering.unitGraph.units, space, manualProfileFn(ctx, { tensorParallel: false, expertParallel: false, zeroStage: 1 }));
    const t = layerCostTable(costContext(ctx, space, memo), b)[0];
    const k = ctx.clustering.layers.findIndex((l) => ctx.clustering.unitGraph.units[l.unitStart].name === 'layer 0');
    expect(k).toBeGreaterThanOrEqual(0);
    const [none, selective, full] = (['none', 'selective', 'full'] as const).map((r) => stageCore(t, 0, k, k + 1, r));
    // Megatron's fused scale-mask-softmax keeps only the probabilities (2 bytes per element of [b, a, s, s]); JAX's
    // autodiff would keep the scores (2) and the mask's predicate (1) too, 5 a s^2 b (cost/memory.ts policies).
    expect(t.attentionActivationBytes[k]).toBe(2 * a * s * s * b);
    expect(none.perMicrobatchBytes - selective.perMicrobatchBytes).toBe(2 * a * s * s * b);
    expect(full.perMicrobatchBytes).toBe(2 * s * b * h); // the block's input
    expect(selective.transientBytes).toBe(2 * a * s * s * b); // one layer's attention core live again in its backward
    // Recompute time: nothing, the attention core's forward, the whole forward.
    expect(none.recomputeSeconds).toBe(0);
    expect(selective.recomputeSeconds).toBeGreaterThan(0);
    expect(selective.recomputeSeconds).toBeLessThan(full.recomputeSeconds);
    expect(selective.backwardSeconds).toBeCloseTo(none.backwardSeconds + selective.recomputeSeconds, 15);
    expect(full.backwardSeconds).toBeCloseTo(none.backwardSeconds + full.forwardSeconds, 15);
    // Recompute FLOPs (per graph batch of 8): Q.K^T and P.V 2·b·s²·h each, softmax 5 and scale+mask 1 per score.
    const layer = ctx.clustering.layers[k];
    const ops = ctx.clustering.unitGraph.units.slice(layer.unitStart, layer.unitEnd).flatMap((u) => u.forwardOps);
    expect(attentionFlops(graph, attentionCoreOps(graph), ops)).toBe(2 * 2 * b * s * s * h + 6 * a * s * s * b);
    expect(layer.forwardFlops).toBeGreaterThan(attentionFlops(graph, attentionCoreOps(graph), ops));
  });
});

describe('the search chooses recomputation per stage', () => {
  it('picks selective for GPT-760M at seq 2048 on one V100: no sequence fits without recompute, and it recomputes less than full', async () => {
    // (At seq 1024 a micro-batch of 2 sequences fits without recompute since Megatron's fused softmax keeps only the
    // probabilities, 2 a s^2 b, not 5 a s^2 b: cost/memory.ts 'fused'.)
    const { parseClusterSpec } = await import('../cluster/spec.ts');
    const { plan } = await import('../plan.ts');
    const model = zooModel('gpt-760M', { batch: 2, seq: 2048 });
    const cluster = parseClusterSpec('p3.16xlarge:1x1');
    const run = async (remat: 'auto' | 'on' | 'off' | 'selective') => plan(model, cluster, { ...defaultPlanOptions(model), remat }, undefined, undefined, { intra: 'manual' });
    const auto = await run('auto');
    const full = await run('on');
    const off = await run('off');
    if (!auto.ok || !full.ok) throw new Error('expected plans');
    expect(off.ok).toBe(false); // one sequence of 2,048 tokens does not fit without recomputation
    expect(auto.plan.stages.map((s) => s.recompute)).toEqual(['selective']);
    expect(auto.plan.microbatches).toBe(2);
    expect(auto.plan.stages[0].remat).toBe(false);
    expect(full.plan.stages.every((s) => s.recompute === 'full')).toBe(true);
    expect(auto.plan.stepSeconds).toBeLessThan(full.plan.stepSeconds);
    // Recomputed attention FLOPs count in the paper's TFLOP/s (hardware) but not in the model's.
    expect(auto.plan.tflopsPerGpu).toBeGreaterThan(auto.plan.modelTflopsPerGpu);
    expect(auto.plan.explanation.summary).toMatch(/selective recompute \(attention\) on all stages/);
  }, 60_000);
});
