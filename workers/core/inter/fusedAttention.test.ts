import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLUSTER_PRESETS, GPU_PRESETS } from '../cluster/presets.ts';
import { GraphBuilder } from '../ir/builder.ts';
import { attentionCoresOf } from '../ir/attention.ts';
import { tensorLookup } from '../cost/opCost.ts';
import { elementWidth } from '../cost/fusion.ts';
import { FUSED_ATTENTION_KERNEL, fusedAttentionSeconds } from '../cost/fusedAttention.ts';
import { causalAttention, causalMask } from '../zoo/transformer.ts';
import { createContext, costContext, manualProfileFn } from '../plan/context.ts';
import { defaultPlanOptions } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';
import { buildMeshSpace } from './meshSpace.ts';
import { profileUnits } from './profileUnits.ts';
import { layerCostTable } from './stageCosts.ts';
import { stageCore } from './stageOptions.ts';
import { runtimeTraits, usesFusedAttention } from './runtime.ts';
import { causalImbalance, evaluateProfile, keptActivationBytes, type ProfiledCollective, type UnitProfile } from './unitProfile.ts';
import type { Link } from '../cluster/types.ts';
import type { ModelGraph } from '../ir/types.ts';

const H100 = GPU_PRESETS['H100-SXM'];
const V100 = GPU_PRESETS['V100-16GB'];
const FAST: Link = { bandwidthBytesPerSecond: 100e9, latencySeconds: 0 };

/** q, k, v [b, s, a, d] -> the zoo's causal attention core -> [b, s, a d]: one attention and nothing else. */
function attentionGraph(b: number, s: number, a: number, d: number): ModelGraph {
  const g = new GraphBuilder({ name: 'attention', source: 'test', batch: b });
  const [q, k, v] = ['q', 'k', 'v'].map((n) => g.input(n, [b, s, a, d], 'bf16', 0));
  causalAttention(g, 'attn', q, k, v, causalMask(g, s, false, 'bf16'), { batch: b, seq: s, heads: a, kvHeads: a, headDim: d });
  return g.build();
}

/** A profile of the attention core's ops on one device, as manualProfile counts their kept activations (graph
 * inputs, here Q, K and V, are not counted). */
function oneDeviceProfile(graph: ModelGraph, extra: Partial<UnitProfile> = {}): UnitProfile {
  const tensors = new Map(graph.tensors.map((t) => [t.id, t]));
  const core = attentionCoresOf(graph).ops;
  const seen = new Set<string>();
  const width = elementWidth(graph, 'bf16-mixed');
  let activationBytes = 0;
  const kernels = graph.ops.flatMap((op, i) => {
    if (op.phase !== 'forward' || !core.has(i)) return [];
    activationBytes += keptActivationBytes(op, tensors, 1, seen, width);
    return [{ op: i, tiles: 1, split: 'm' as const, phase: 'forward' as const }];
  });
  return { meshShape: [1, 1], refBatch: graph.batch, explicitBackward: false, kernels, collectives: [], gradientSyncSeconds: 0,
    paramBytes: 0, gradBytes: 0, optimizerBytes: 0, activationBytes, paramTensors: 0, paramFractions: [], source: 'manual', ...extra };
}

function priced(graph: ModelGraph, fused: boolean, gpu = H100, extra: Partial<UnitProfile> = {}) {
  const at = { graph, tensors: tensorLookup(graph), fused: new Map() };
  const attention = { ...attentionCoresOf(graph), normsInFp32: false, residuals: 'autodiff' as const, fused };
  return evaluateProfile(oneDeviceProfile(graph, extra), at, gpu, 'bf16-mixed', [FAST, FAST], true, attention);
}

describe('fused attention: which runtimes use it (inter/runtime.ts usesFusedAttention)', () => {
  it('Megatron fuses on Ampere and later in 16-bit; not on V100, not in fp32, not under XLA unless asked', () => {
    const megatron = runtimeTraits('megatron');
    const xla = runtimeTraits('xla');
    expect(usesFusedAttention(undefined, megatron, H100, 'bf16-mixed')).toBe(true);
    expect(usesFusedAttention('auto', megatron, GPU_PRESETS['A100-80GB'], 'fp16-mixed')).toBe(true);
    expect(usesFusedAttention('auto', megatron, V100, 'fp16-mixed')).toBe(false);
    expect(usesFusedAttention('auto', megatron, H100, 'fp32')).toBe(false);
    expect(usesFusedAttention('auto', xla, H100, 'bf16-adam32')).toBe(false);
    expect(usesFusedAttention('fused', xla, V100, 'fp16-mixed')).toBe(true);
    expect(usesFusedAttention('naive', megatron, H100, 'bf16-mixed')).toBe(false);
  });
});

describe('fused attention on one causal core (hand-computed)', () => {
  // b = 2, s = 256, a = 4 heads of d = 32 (h = 128), bf16, one H100.
  const b = 2, s = 256, a = 4, d = 32;
  const graph = attentionGraph(b, s, a, d);
  const F = 2 * 2 * b * a * s * s * d; // Q K^T and P V, full
  const peak = H100.peakFlopsPerSecond.bf16;

  it('is found causal (the zoo names its mask) and priced by half its FLOPs, the backward 2.5x at its own efficiency', () => {
    const cores = attentionCoresOf(graph);
    expect(cores.ops.size).toBe(4);
    expect(cores.causal.size).toBe(4);
    expect(cores.calls.size).toBe(1);
    const fused = priced(graph, true);
    const { forward: f, backward: bw } = FUSED_ATTENTION_KERNEL;
    expect(fused.forwardSeconds).toBeCloseTo((F / 2) / (peak * f.efficiency) + f.overheadSeconds, 15);
    expect(fused.backwardSeconds).toBeCloseTo((2.5 * F / 2) / (peak * bw.efficiency) + bw.overheadSeconds, 15);
    // By the numbers: 33,554,432 FLOPs forward -> 0.053 us + 85 us; backward 0.145 us + 120 us (a small core is
    // all tail: the kernel's fixed cost, as measured at 1,024 tokens).
    expect(F / 2).toBe(33_554_432);
    expect(fused.forwardSeconds * 1e6).toBeCloseTo(85.053, 3);
    expect(fused.backwardSeconds * 1e6).toBeCloseTo(120.145, 3);
    // Selective recompute has nothing left to drop.
    expect(fused.attentionActivationBytes).toBe(0);
    expect(fused.attentionRecomputeSeconds).toBe(0);
  });

  it('keeps the log-sum-exp (4 b a s bytes) in place of the scores, mask and probabilities (5 b a s^2)', () => {
    const naive = priced(graph, false);
    const fused = priced(graph, true);
    // Naive: scores 2 + mask predicate 1 + probabilities 2 bytes per score.
    expect(naive.activationBytes).toBe(5 * b * a * s * s);
    expect(fused.activationBytes).toBe(4 * b * a * s);
    expect(naive.activationBytes - fused.activationBytes).toBe(2_621_440 - 8_192);
    expect(naive.attentionActivationBytes).toBe(5 * b * a * s * s);
  });

  it('a contiguous CP split makes the last rank do (2cp - 1)/cp of the causal work; balanced does not', () => {
    expect(causalImbalance(1)).toBe(1);
    expect(causalImbalance(2)).toBe(1.5);
    expect(causalImbalance(4)).toBe(1.75);
    const { forward: f, backward: bw } = FUSED_ATTENTION_KERNEL;
    const contiguous = priced(graph, true, H100, { cpContiguous: 4 });
    expect(contiguous.forwardSeconds).toBeCloseTo((1.75 * F / 2) / (peak * f.efficiency) + f.overheadSeconds, 15);
    expect(contiguous.backwardSeconds).toBeCloseTo((1.75 * 2.5 * F / 2) / (peak * bw.efficiency) + bw.overheadSeconds, 15);
    // Naive attention computes every score (masked or not): no imbalance to price.
    expect(priced(graph, false, H100, { cpContiguous: 4 }).forwardSeconds).toBe(priced(graph, false).forwardSeconds);
  });

  it('ring transfers hide behind one step of the (causal, balanced) fused core: exposed = steps x max(0, t - A/cp)', () => {
    const cp = 4;
    const ops = attentionCoresOf(graph).ops;
    const ring = (bytes: number): ProfiledCollective => ({ kind: 'send-recv', axis: 0, group: cp, bytes, phase: 'forward', scales: true, ring: { steps: cp - 1, ops: [...ops] } });
    const base = priced(graph, true);
    const A = base.forwardSeconds; // the fused core's forward, all of this graph's compute
    // Each transfer of bytes / 3 at 100 GB/s: 1 MB -> 10 us per step, below A / 4 (about 21 us): hidden.
    const hidden = priced(graph, true, H100, { meshShape: [cp, 1], collectives: [ring(3 * 1e6)] });
    expect(hidden.forwardSeconds).toBeCloseTo(A, 15);
    // 40 MB a step: 400 us each, 3 x (400 us - A/4) exposed.
    const exposed = priced(graph, true, H100, { meshShape: [cp, 1], collectives: [ring(3 * 40e6)] });
    expect(exposed.forwardSeconds - A).toBeCloseTo(3 * (400e-6 - A / cp), 12);
    // Contiguous split: the last rank's step is (2cp - 1)/cp of the average one, so less is exposed.
    const unbalanced = priced(graph, true, H100, { meshShape: [cp, 1], collectives: [ring(3 * 40e6)], cpContiguous: cp });
    const Au = priced(graph, true, H100, { cpContiguous: cp }).forwardSeconds;
    expect(unbalanced.forwardSeconds - Au).toBeCloseTo(3 * (400e-6 - Au / cp), 12);
  });
});

describe('fused attention against an H100 (cost/calibration/h100-sxm-attention.json)', () => {
  interface Row { impl: string; seq: number; causal: boolean; keptBytes: number; forwardMs: number; forwardBackwardMs: number }
  const file = JSON.parse(readFileSync(new URL('../cost/calibration/h100-sxm-attention.json', import.meta.url), 'utf8')) as
    { gpu: string; batch: number; heads: number; headDim: number; rows: Row[] };

  it('the kernels keep O and the fp32 log-sum-exp, nothing s x s; the naive chain keeps the probabilities too', () => {
    expect(file.gpu).toBe('NVIDIA H100 80GB HBM3');
    const { batch: b, heads: a, headDim: d } = file;
    for (const r of file.rows) {
      const o = b * a * r.seq * d * 2;
      const lse = b * a * r.seq * 4;
      if (r.impl === 'naive') {
        // PyTorch autograd keeps the bf16 probabilities (2 bytes a score; the model's naive core keeps 5 with the
        // scores and the mask predicate, as Megatron's unfused path) and, causal, the boolean mask.
        expect(r.keptBytes - o - 2 * a * b * r.seq ** 2).toBe(r.causal ? r.seq ** 2 : 0);
      } else {
        // The model's fused residual: LOGSUMEXP_BYTES per row and head (the RNG state of flash / cuDNN: <= 1 KiB).
        expect(r.keptBytes - o - lse).toBeGreaterThanOrEqual(0);
        expect(r.keptBytes - o - lse).toBeLessThanOrEqual(1024);
      }
    }
    // And the model prices exactly that for the measured shape (O is the next op's input; here the graph's output).
    const s = 8192;
    const g = attentionGraph(b, s, a, d);
    expect(priced(g, true).activationBytes).toBe(b * a * s * 4);
  });

  it('times the cuDNN backend within 20% at every length, within 8% from 8,192 tokens (forward and backward)', () => {
    const rows = file.rows.filter((r) => r.impl === 'cudnn');
    expect(rows).toHaveLength(12);
    for (const r of rows) {
      const flops = 4 * file.batch * file.heads * r.seq ** 2 * file.headDim * (r.causal ? 0.5 : 1);
      const t = fusedAttentionSeconds(H100, 'bf16', flops);
      const fwd = r.forwardMs / 1e3;
      const bwd = (r.forwardBackwardMs - r.forwardMs) / 1e3;
      const tol = r.seq >= 8192 ? 0.08 : 0.2;
      expect(Math.abs(t.forward / fwd - 1), `forward ${r.seq} causal ${r.causal}`).toBeLessThan(tol);
      expect(Math.abs(t.backward / bwd - 1), `backward ${r.seq} causal ${r.causal}`).toBeLessThan(tol);
    }
    // Fused vs naive, measured at 8,192 tokens: 6.4 ms against 32.2 ms forward + backward, 68 MB kept against 4.4 GB.
    const at = (impl: string) => file.rows.find((r) => r.impl === impl && r.seq === 8192 && !r.causal)!;
    expect(at('naive').forwardBackwardMs / at('cudnn').forwardBackwardMs).toBeGreaterThan(4.5);
    expect(at('naive').keptBytes / at('cudnn').keptBytes).toBeGreaterThan(60);
  });
});

describe('fused attention in the stage costs (one GPT layer on one V100, asked for; one H100 by default)', () => {
  it('drops 2 a s^2 b - 4 a s b bytes a layer and leaves selective recompute nothing to do', async () => {
    const a = 4, s = 32, b = 8;
    const graph = zooModel('gpt-tiny', { dims: { layers: 1 } });
    const cluster = CLUSTER_PRESETS['p3.16xlarge'].cluster(1, 1);
    const table = async (attention: 'naive' | 'fused') => {
      const ctx = createContext(graph, cluster, { ...defaultPlanOptions(graph), layers: 3, attention });
      const space = buildMeshSpace(cluster);
      const memo = await profileUnits(ctx.clustering.unitGraph.units, space, manualProfileFn(ctx, { tensorParallel: false, expertParallel: false, zeroStage: 1 }));
      const k = ctx.clustering.layers.findIndex((l) => ctx.clustering.unitGraph.units[l.unitStart].name === 'layer 0');
      return { t: layerCostTable(costContext(ctx, space, memo), b)[0], k };
    };
    const naive = await table('naive');
    const fused = await table('fused');
    const k = naive.k;
    // Naive under Megatron: its fused scale-mask-softmax keeps only the fp16 probabilities, 2 a s^2 b (JAX's
    // autodiff keeps the scores and the mask's predicate too, 5 a s^2 b); fused keeps the fp32 log-sum-exp instead.
    expect(naive.t.activationBytes[k] - fused.t.activationBytes[k]).toBe(2 * a * s * s * b - 4 * a * s * b);
    expect(fused.t.attentionActivationBytes[k]).toBe(0);
    const [none, selective] = (['none', 'selective'] as const).map((r) => stageCore(fused.t, 0, k, k + 1, r));
    expect(selective.perMicrobatchBytes).toBe(none.perMicrobatchBytes);
    expect(selective.recomputeSeconds).toBe(0);
    // The fused core's forward replaces the naive one's (the naive core's forward is its selective recompute).
    const V = V100.peakFlopsPerSecond.f16;
    const coreFlops = 2 * 2 * b * s * s * (a * 16) / 2; // causal half of Q K^T and P V, h = 64
    const fusedCore = coreFlops / (V * FUSED_ATTENTION_KERNEL.forward.efficiency) + FUSED_ATTENTION_KERNEL.forward.overheadSeconds;
    expect(fused.t.forwardSeconds[k]).toBeCloseTo(naive.t.forwardSeconds[k] - naive.t.attentionRecomputeSeconds[k] + fusedCore, 12);
  });
});
