import { describe, expect, it } from 'vitest';
import type { Link } from '../cluster/types.ts';
import { gpuSpec } from '../cluster/topology.ts';
import { parseClusterSpec } from '../cluster/spec.ts';
import { fusionTraffic } from '../cost/fusion.ts';
import { opSeconds, tensorLookup } from '../cost/opCost.ts';
import type { ModelGraph } from '../ir/types.ts';
import { gpt } from '../zoo/gpt.ts';
import { llama } from '../zoo/llama.ts';
import { runLayerConstruction } from './layerConstruction.ts';
import { manualProfile, MEGATRON, type ManualStrategy } from './manualProfile.ts';
import { isRepeatedBlock } from './runtime.ts';
import { attentionCores, seqChoiceOf, seqVariants, variantWith } from './seqParallel.ts';
import { evaluateProfile, profiledCollectiveSeconds } from './unitProfile.ts';

// A link with round numbers: 100 GB/s bus bandwidth, no latency, every collective at full efficiency.
const LINK: Link = { bandwidthBytesPerSecond: 100e9, latencySeconds: 0 };
const LINKS = [LINK, LINK] as const;
const H100 = gpuSpec(parseClusterSpec('dgx-h100:1x8'), 'H100-SXM');

function block(graph: ModelGraph) {
  const unit = runLayerConstruction(graph, { layers: 'auto' }).unitGraph.units.find(isRepeatedBlock);
  if (!unit) throw new Error('no block');
  return unit;
}

function profileOf(graph: ModelGraph, mesh: readonly [number, number], strategy: ManualStrategy, links: readonly [Link, Link] = LINKS) {
  const tensors = new Map(graph.tensors.map((t) => [t.id, t]));
  const p = manualProfile(graph, block(graph), mesh, 'fp16-mixed', strategy, links, tensors, true);
  const at = { graph, tensors: tensorLookup(graph), fused: new Map() };
  return { p, cost: evaluateProfile(p, at, H100, 'fp16-mixed', links, true) };
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

describe('variants name the SP/CP choice', () => {
  it('round-trips and offers CP only for long sequences', () => {
    expect(variantWith('template', { sp: true, cp: 4, cpKind: 'ulysses' })).toBe('template+sp+cp4-ulysses');
    expect(seqChoiceOf('template-dense+cp2-ring')).toEqual({ base: 'template-dense', sp: false, cp: 2, cpKind: 'ring' });
    const short = llama({ hidden: 1024, layers: 1, heads: 8, kvHeads: 8, intermediate: 2048, vocab: 1000, seq: 2048, batch: 1 });
    expect(seqVariants('template', [4, 2], short, {})).toEqual(['template', 'template+sp']);
    expect(seqVariants('template', [4, 1], short, { sp: 'on' })).toEqual(['template']);
    const long = llama({ hidden: 1024, layers: 1, heads: 8, kvHeads: 8, intermediate: 2048, vocab: 1000, seq: 16384, batch: 1 });
    // cp 2 and 4 divide axis 0 and leave >= 4,096 tokens a rank; Ulysses needs 8 heads to divide by tp x cp.
    expect(seqVariants('template', [4, 2], long, { sp: 'off' })).toEqual(['template', 'template+cp2-ring', 'template+cp2-ulysses', 'template+cp4-ring', 'template+cp4-ulysses']);
    expect(seqVariants('template', [4, 4], long, { sp: 'off' })).toEqual(['template', 'template+cp2-ring', 'template+cp2-ulysses', 'template+cp4-ring']);
    expect(seqVariants('template', [4, 2], long, { sp: 'off', cp: 2, cpKind: 'ulysses' })).toEqual(['template+cp2-ulysses']);
    expect(seqVariants('template', [3, 2], long, { sp: 'off', cp: 2 })).toEqual([]);
    expect(seqVariants('template', [4, 2], long, { sp: 'off', cp: 1 })).toEqual(['template']);
  });
});

describe('sequence parallelism, one GPT block on a (1, 2) mesh', () => {
  // hidden H = 1024, seq S = 2048, batch 1, fp16: X = S H 2 B = 4,194,304 bytes, one [batch, seq, hidden] tensor.
  const graph = gpt({ hidden: 1024, layers: 1, heads: 16, vocab: 1000, seq: 2048, batch: 1 });
  const X = 2048 * 1024 * 2;
  const off = profileOf(graph, [1, 2], MEGATRON);
  const on = profileOf(graph, [1, 2], { ...MEGATRON, sequenceParallel: true });

  it('each all-reduce becomes a reduce-scatter + all-gather of the same bytes, plus a backward all-gather per column GEMM', () => {
    const kinds = (p: typeof off.p, phase: string) => p.collectives.filter((c) => c.phase === phase).map((c) => `${c.kind} ${c.bytes}`).sort();
    // Without SP: qkv and fc (column) all-reduce their input gradient in backward, proj and mlp proj (row) their
    // output in forward; each message is X.
    expect(kinds(off.p, 'forward')).toEqual([`all-reduce ${X}`, `all-reduce ${X}`]);
    expect(kinds(off.p, 'backward')).toEqual([`all-reduce ${X}`, `all-reduce ${X}`]);
    // With SP: forward all-gather before each column GEMM, reduce-scatter after each row GEMM; backward the
    // conjugates (reduce-scatter of the column input gradient, all-gather of the row output gradient) and the
    // column input's all-gather again for its weight gradient: forward 2 AG + 2 RS, backward 4 AG + 2 RS.
    expect(kinds(on.p, 'forward')).toEqual([`all-gather ${X}`, `all-gather ${X}`, `reduce-scatter ${X}`, `reduce-scatter ${X}`]);
    expect(kinds(on.p, 'backward')).toEqual([...Array(4).fill(`all-gather ${X}`), `reduce-scatter ${X}`, `reduce-scatter ${X}`]);
  });

  it('communication seconds: forward the same, backward one all-gather more per column GEMM', () => {
    // On 2 devices at 100 GB/s: all-reduce 2 (1/2) X / bw = 41.943 us; reduce-scatter or all-gather (1/2) X / bw = 20.972 us.
    const ar = X / 100e9;
    const half = X / 2 / 100e9;
    const seconds = (p: typeof off.p, phase: string) => sum(p.collectives.filter((c) => c.phase === phase).map((c) => profiledCollectiveSeconds(c, c.bytes, p.meshShape, LINKS)));
    expect(ar).toBeCloseTo(41.943e-6, 9);
    expect(seconds(off.p, 'forward')).toBeCloseTo(2 * ar, 12);
    expect(seconds(on.p, 'forward')).toBeCloseTo(4 * half, 12); // 83.886 us, as without SP
    expect(seconds(off.p, 'backward')).toBeCloseTo(2 * ar, 12);
    expect(seconds(on.p, 'backward')).toBeCloseTo(6 * half, 12); // 125.829 us = 83.886 + 2 x 20.972
    // Priced (evaluateProfile): Megatron's column-parallel backward issues the input gradient's all-reduce (SP:
    // reduce-scatter) beside its weight-gradient GEMM and SP's extra all-gather beside its input-gradient GEMM, each
    // half of the op's backward; only what exceeds it shows. Forward and row-parallel collectives are not hidden.
    const tensors = tensorLookup(graph);
    const priced = (p: typeof off.p) => sum(p.collectives.map((c) => {
      const raw = profiledCollectiveSeconds(c, c.bytes, p.meshShape, LINKS);
      if (!c.beside) return raw;
      const k = p.kernels.find((x) => x.op === c.op)!;
      const gemm = opSeconds(graph.ops[k.op], tensors, H100, 'fp16-mixed', k.tiles, { split: k.split }).backwardSeconds / 2;
      return Math.max(0, raw - gemm);
    }));
    expect(off.p.collectives.filter((c) => c.beside === 'wgrad')).toHaveLength(2);
    expect(on.p.collectives.filter((c) => c.beside).map((c) => `${c.kind} ${c.beside}`).sort()).toEqual(['all-gather dgrad', 'all-gather dgrad', 'reduce-scatter wgrad', 'reduce-scatter wgrad']);
    expect(off.cost.communicationSeconds).toBeCloseTo(priced(off.p), 15);
    expect(on.cost.communicationSeconds).toBeCloseTo(priced(on.p), 15);
    // Without SP 124.53 us: forward 83.89 + backward 40.65 (of the two 41.94 us all-reduces, 43.2 us hide behind
    // the weight-gradient GEMMs). With SP 125.83 us: the backward shows only the row GEMMs' two all-gathers
    // (41.94 us); the column GEMMs' reduce-scatters and re-gathers (4 x 20.97 us) hide fully. SP now costs 1.3 us
    // more a block here, where it cost 41.94 us with nothing overlapped.
    expect(off.cost.communicationSeconds * 1e6).toBeCloseTo(124.53, 2);
    expect(on.cost.communicationSeconds * 1e6).toBeCloseTo(125.83, 2);
    expect(on.cost.communicationSeconds).toBeCloseTo(seconds(on.p, 'forward') + 2 * half, 12);
  });

  it('activation memory: SP halves the norms\' kept input and the column GEMMs\' kept input (2 X + 16 KiB less)', () => {
    // Megatron's fused layer norm keeps its input X and an fp32 mean and 1/sigma per row (cost/memory.ts 'fused':
    // 2,048 rows x 8 B = 16,384 B); the column GEMMs after ln_1 and ln_2 keep their input (the norm's output) whole on
    // every tensor-parallel rank without SP, X each. With SP over tp = 2 all four are sequence shards: (2 X + 2 X +
    // 2 x 16,384) / 2 = 8,404,992 bytes less. Everything else is unchanged (the residual adds keep nothing; the
    // tensor-parallel region was already split).
    expect(off.p.activationBytes - on.p.activationBytes).toBe(2 * X + 16_384);
    expect(on.p.kernels.filter((k) => k.role === 'sequence').length).toBeGreaterThanOrEqual(2);
  });
});

describe('context parallelism, one Llama block', () => {
  // hidden 1024, 8 heads of 128 (8 key/value heads), seq S = 8192, batch 1, fp16.
  // K = V = [1, 8192, 8, 128] x 2 bytes = 16,777,216 bytes for the whole sequence.
  const graph = llama({ hidden: 1024, layers: 1, heads: 8, kvHeads: 8, intermediate: 2048, vocab: 1000, seq: 8192, batch: 1 });
  const KV = 8192 * 8 * 128 * 2;
  const plain = profileOf(graph, [2, 1], { ...MEGATRON, tensorParallel: false });
  const single = profileOf(graph, [1, 1], { ...MEGATRON, tensorParallel: false });

  it('ring, cp = 2: (cp - 1) / cp (K + V) = 16,777,216 bytes in forward, twice in backward, overlapped with attention', () => {
    const ring = profileOf(graph, [2, 1], { ...MEGATRON, tensorParallel: false, contextParallel: { degree: 2, kind: 'ring' } });
    const cp = ring.p.collectives.filter((c) => c.ring);
    expect(cp.map((c) => [c.kind, c.phase, c.bytes, c.group, c.ring?.steps])).toEqual([
      ['send-recv', 'forward', (1 / 2) * 2 * KV, 2, 1],
      ['send-recv', 'backward', 2 * (1 / 2) * 2 * KV, 2, 1],
    ]);
    // The transfer runs beside one of the cp = 2 blocks of the device's attention (scores, mask, softmax, context:
    // A seconds forward, Ab backward, as the cost model prices them), so A / 2 (Ab / 2) of it is hidden.
    // (Memory-bound ops priced with their fused traffic, as evaluateProfile prices them.)
    const tensors = tensorLookup(graph);
    const core = attentionCores(graph, block(graph), new Map(graph.tensors.map((t) => [t.id, t])))[0];
    const fused = fusionTraffic(graph, 'fp16-mixed', ring.p.kernels.map((k) => graph.ops[k.op].id));
    const priced = core.ops.map((i) => { const f = fused.get(graph.ops[i].id); return opSeconds(graph.ops[i], tensors, H100, 'fp16-mixed', 2, f ? { fused: f } : {}); });
    const A = sum(priced.map((c) => c.forwardSeconds));
    const Ab = sum(priced.map((c) => c.backwardSeconds));
    // At 100 GB/s one transfer is 16,777,216 B / 100 GB/s = 167.77 us, hidden behind A / 2 forward, and the
    // backward's 335.54 us behind Ab / 2: nothing shows.
    expect(KV / 100e9).toBeCloseTo(167.77e-6, 8);
    expect(A / 2).toBeGreaterThan(KV / 100e9);
    expect(Ab / 2).toBeGreaterThan(2 * KV / 100e9);
    expect(ring.cost.forwardSeconds).toBe(plain.cost.forwardSeconds);
    expect(ring.cost.backwardSeconds).toBe(plain.cost.backwardSeconds);
    // At 5 GB/s: 3.3554 ms forward and 6.7109 ms backward; what exceeds the block shows.
    const slowLink: Link = { bandwidthBytesPerSecond: 5e9, latencySeconds: 0 };
    const slow = profileOf(graph, [2, 1], { ...MEGATRON, tensorParallel: false, contextParallel: { degree: 2, kind: 'ring' } }, [slowLink, slowLink]);
    const slowPlain = profileOf(graph, [2, 1], { ...MEGATRON, tensorParallel: false }, [slowLink, slowLink]);
    expect(KV / 5e9).toBeCloseTo(3.3554e-3, 7);
    expect(slow.cost.forwardSeconds - slowPlain.cost.forwardSeconds).toBeCloseTo(KV / 5e9 - A / 2, 12);
    expect(slow.cost.backwardSeconds - slowPlain.cost.backwardSeconds).toBeCloseTo(2 * KV / 5e9 - Ab / 2, 12);
    expect(slow.cost.forwardSeconds - slowPlain.cost.forwardSeconds).toBeGreaterThan(1e-3);
    // Compute and gradient all-reduce (over dp x cp = 2) as the (2, 1) mesh's.
    expect(ring.p.gradientSyncSeconds).toBe(plain.p.gradientSyncSeconds);
    expect(ring.cost.computeSeconds).toBe(plain.cost.computeSeconds);
  });

  it('ring: activations divide by cp; two K/V blocks (2 x 16 MiB) are receive buffers', () => {
    const ring = profileOf(graph, [2, 1], { ...MEGATRON, tensorParallel: false, contextParallel: { degree: 2, kind: 'ring' } });
    expect(ring.p.activationBytes).toBeCloseTo(single.p.activationBytes / 2, 0);
    expect(ring.p.bufferBytes).toBe(2 * KV);
    // Parameters replicated over cp.
    expect(ring.p.paramBytes).toBe(single.p.paramBytes);
  });

  it('ring overlap: a slow link shows what exceeds the block, a fast one hides it all', () => {
    const c = { kind: 'send-recv' as const, axis: 0 as const, bytes: 3e6, phase: 'forward' as const, scales: true, group: 4, ring: { steps: 3, ops: [] } };
    // 3 transfers of 1 MB at 100 GB/s = 10 us each, blocks of 40 us / 4 = 10 us: all hidden.
    expect(profiledCollectiveSeconds(c, 3e6, [4, 1], LINKS, 40e-6)).toBeCloseTo(0, 15);
    // Blocks of 4 us: 3 x (10 - 4) = 18 us exposed.
    expect(profiledCollectiveSeconds(c, 3e6, [4, 1], LINKS, 16e-6)).toBeCloseTo(18e-6, 12);
  });

  it('Ulysses, cp = 2: 4 all-to-alls each way (q, k, v, output), 4,194,304 bytes on the wire each', () => {
    const u = profileOf(graph, [2, 1], { ...MEGATRON, tensorParallel: false, contextParallel: { degree: 2, kind: 'ulysses' } });
    const a2a = u.p.collectives.filter((c) => c.kind === 'all-to-all');
    // A device holds X = KV / 2 = 8 MiB of q (and of k, v, output); an all-to-all's message is the group's cp X =
    // 16 MiB; each device sends (cp - 1) / cp X = 4 MiB: 41.94 us at 100 GB/s.
    expect(a2a.map((c) => `${c.phase} ${c.bytes} ${c.group}`).sort()).toEqual([...Array(4).fill(`backward ${KV} 2`), ...Array(4).fill(`forward ${KV} 2`)]);
    const each = (KV / 4) / 100e9;
    expect(each).toBeCloseTo(41.943e-6, 9);
    expect(u.cost.forwardSeconds - plain.cost.forwardSeconds).toBeCloseTo(4 * each, 12);
    expect(u.cost.backwardSeconds - plain.cost.backwardSeconds).toBeCloseTo(4 * each, 12);
    expect(u.p.activationBytes).toBeCloseTo(single.p.activationBytes / 2, 0);
  });
});
