import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspectGraph } from '../ir/inspect.ts';
import { validateGraph } from '../ir/validate.ts';
import type { ModelGraph } from '../ir/types.ts';
import { gpt, llama, wresnet, zooDefaults, zooModel, ZooError, ZOO_NAMES } from './index.ts';

interface PaperCase {
  id: string;
  family: 'gpt' | 'moe' | 'wresnet';
  name: string;
  model: Record<string, number>;
  global_batch: number;
  dtype: string;
  param_count_billion: number;
}

// CI clones the repo beside ../shared, as on the development machine.
const paperEval = JSON.parse(readFileSync(new URL('../../../../shared/reference/paper-eval.json', import.meta.url), 'utf8')) as { cases: PaperCase[] };
const cases = paperEval.cases;
const zooName = (c: PaperCase) => `${c.family}-${c.name}`;

describe('paper models', () => {
  it('has all 21 cases under their paper names', () => {
    expect(cases.length).toBe(21);
    for (const c of cases) expect(ZOO_NAMES).toContain(zooName(c));
  });

  for (const c of cases) {
    it(`${zooName(c)}: params within 2% of ${c.param_count_billion}B, dims, batch, seq and dtype as in the paper`, () => {
      const g = zooModel(zooName(c));
      const s = inspectGraph(g);
      expect(Math.abs(s.params / 1e9 / c.param_count_billion - 1)).toBeLessThan(0.02);
      expect(g.batch).toBe(c.global_batch);
      const cfg = g.config ?? {};
      if (c.family === 'wresnet') {
        expect([cfg.layers, cfg.baseChannels, cfg.widthFactor, cfg.classes, cfg.image])
          .toEqual([c.model.layers, c.model.base_channels, c.model.width_factor, c.model.classes, c.model.image]);
      } else {
        expect(g.seq).toBe(c.model.seq);
        expect([cfg.hidden, cfg.layers, cfg.heads, cfg.vocab]).toEqual([c.model.hidden, c.model.layers, c.model.heads, c.model.vocab]);
        if (c.family === 'moe') expect([cfg.experts, cfg.expertGroupSize]).toEqual([c.model.experts, c.model.expert_group_size]);
      }
      const paramDtypes = new Set(g.tensors.filter((t) => t.kind === 'parameter').map((t) => t.dtype));
      expect([...paramDtypes]).toEqual([c.dtype === 'float32' ? 'f32' : 'f16']);
    });
  }

  it('GPT: flopsPerStep within 3% of 6*params*tokens + 12*layers*batch*seq^2*hidden (worst error < 0.5%)', () => {
    let worst = 0;
    for (const c of cases.filter((x) => x.family === 'gpt')) {
      const s = inspectGraph(zooModel(zooName(c)));
      const { hidden, layers, seq } = c.model;
      const batch = c.global_batch;
      const expected = 6 * s.params * batch * seq + 12 * layers * batch * seq * seq * hidden;
      const error = Math.abs(s.flopsPerStep / expected - 1);
      expect(error, zooName(c)).toBeLessThan(0.03);
      worst = Math.max(worst, error);
    }
    expect(worst).toBeLessThan(0.005);
  });

  it("MoE: flopsPerStep within 1% of Alpa's compute_moe_tflops count without remat (factor 3)", () => {
    for (const c of cases.filter((x) => x.family === 'moe')) {
      const s = inspectGraph(zooModel(zooName(c)));
      const { hidden: h, layers: L, seq: S, vocab: V, experts: E, expert_group_size: Sg } = c.model;
      const B = c.global_batch;
      const mf = 8;
      const dense = 3 * (B * S * h * h * (8 + 4 * mf) + 4 * B * S * S * h);
      // attention + experts (top-2) + gate + top-2 gating + dispatch and combine einsums
      const moeLayer = 3 * (B * S * h * h * 8 + 4 * B * S * S * h + 8 * B * S * h * h * mf + 2 * B * S * h * E + 4 * B * S * Sg + 8 * B * S * h * Sg);
      const expected = (dense * L) / 2 + (moeLayer * L) / 2 + 6 * B * S * h * V;
      expect(Math.abs(s.flopsPerStep / expected - 1), zooName(c)).toBeLessThan(0.01);
    }
  });

  it('builds GPT-39B at global batch 1024 x seq 1024 in under 100 ms', () => {
    zooModel('gpt-39B', { batch: 1 }); // warm the JIT
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      zooModel('gpt-39B');
      times.push(performance.now() - t0);
    }
    expect(Math.min(...times)).toBeLessThan(100);
  });
});

describe('op-level graphs', () => {
  it('every family validates and has real op structure', () => {
    for (const name of ['gpt-350M', 'moe-380M', 'wresnet-250M', 'llama-3-8B', 'gpt-tiny', 'llama-tiny']) {
      const g = zooModel(name, { batch: 2 });
      expect(validateGraph(g), name).toEqual({ ok: true });
    }
    const counts = inspectGraph(zooModel('gpt-350M', { batch: 2 })).opCounts;
    // per layer: qkv, scores, context, proj, fc, fc2 = 6 dots; + logits
    expect(counts.dot).toBe(24 * 6 + 1);
    expect(counts.softmax).toBe(24);
    expect(counts.layernorm).toBe(24 * 2 + 1);
  });

  it('batchDim marks exactly the dims that scale with the batch, in every family', () => {
    for (const name of ['gpt-tiny', 'llama-tiny', 'moe-380M', 'wresnet-250M']) {
      const seq = name.startsWith('moe') ? 1024 : undefined;
      const a = zooModel(name, { batch: 2, seq });
      const b = zooModel(name, { batch: 4, seq });
      a.tensors.forEach((t, i) => {
        const expected = t.shape.map((d, k) => (k === t.batchDim ? 2 * d : d));
        expect(b.tensors[i].shape, `${name} ${t.name}`).toEqual(expected);
      });
    }
  });

  it('GPT: causal attention is two batched dots around a softmax over the key axis', () => {
    const g = gpt({ hidden: 64, layers: 1, heads: 4, vocab: 128, seq: 16, batch: 2 });
    const byPath = (p: string) => g.ops.find((o) => o.path === p);
    const shape = (id: string) => g.tensors.find((t) => t.id === id)?.shape;
    const scores = byPath('gpt/h.0/attn/scores');
    expect(scores?.attrs).toEqual({ kind: 'dot', lhsBatch: [0, 2], rhsBatch: [0, 2], lhsContract: [3], rhsContract: [3] });
    expect(shape(scores?.outputs[0] ?? '')).toEqual([2, 4, 16, 16]);
    expect(byPath('gpt/h.0/attn/softmax')?.attrs).toEqual({ kind: 'axis', axis: 3 });
    expect(shape(byPath('gpt/h.0/attn/context')?.outputs[0] ?? '')).toEqual([2, 4, 16, 16]);
    // the LM head reads the token embedding table: tied
    expect(byPath('gpt/head/logits')?.inputs[1]).toBe(byPath('gpt/embed/wte')?.inputs[0]);
  });

  it('MoE: experts are batched dots over a leading expert dim, groups of 2048 tokens, top-2 capacity', () => {
    const g = zooModel('moe-380M');
    const op = g.ops.find((o) => o.path === 'moe/layers.0/moe/experts/wi');
    const shape = (id: string) => g.tensors.find((t) => t.id === id)?.shape;
    expect(op?.attrs).toEqual({ kind: 'dot', lhsBatch: [0], rhsBatch: [0], lhsContract: [3], rhsContract: [1] });
    // E=8, G = 1024*1024/2048 = 512, C = 2*2048/8 = 512, H=768 -> 8H
    expect(shape(op?.inputs[0] ?? '')).toEqual([8, 512, 512, 768]);
    expect(shape(op?.inputs[1] ?? '')).toEqual([8, 768, 6144]);
    expect(g.tensors.find((t) => t.id === op?.outputs[0])?.batchDim).toBe(1);
    // every second layer (0, 2, ...) is MoE; the others a dense 8x MLP
    expect(g.ops.some((o) => o.path.startsWith('moe/layers.1/moe/'))).toBe(false);
    expect(shape(g.ops.find((o) => o.path === 'moe/layers.1/mlp/fc')?.inputs[1] ?? '')).toEqual([768, 6144]);
    expect(g.ops.filter((o) => o.path.endsWith('/moe/combine')).length).toBe(4);
  });

  it('Wide-ResNet: ResNet-50 geometry gives the known 25,557,032 params and 4.09 GMACs per image', () => {
    const g = wresnet({ layers: 50, baseChannels: 64, widthFactor: 1, classes: 1000, batch: 1 });
    const macs = g.ops.filter((o) => o.kind === 'conv' || o.kind === 'dot').reduce((n, o) => n + o.flops, 0) / 2;
    expect(inspectGraph(g).params).toBe(25_557_032);
    expect(macs).toBe(4_089_184_256);
    const last = g.ops.filter((o) => o.kind === 'conv').at(-1);
    expect(g.tensors.find((t) => t.id === last?.outputs[0])?.shape).toEqual([1, 2048, 7, 7]);
  });

  it('Llama: known parameter counts, GQA key/value widths, rotary and SwiGLU as elementwise ops', () => {
    expect(inspectGraph(zooModel('llama-7B', { batch: 1, seq: 16 })).params).toBe(6_738_415_616);
    const g = zooModel('llama-3-8B', { batch: 1, seq: 16 });
    expect(inspectGraph(g).params).toBe(8_030_261_248);
    const param = (n: string) => g.tensors.find((t) => t.name === n)?.shape;
    expect(param('llama/layers.0/self_attn/k_proj/kernel')).toEqual([4096, 1024]);
    const fns = new Set(g.ops.filter((o) => o.attrs.kind === 'elementwise').map((o) => (o.attrs.kind === 'elementwise' ? o.attrs.fn : '')));
    expect([...fns].sort()).toEqual(['add', 'rotary', 'scale_mask', 'swiglu']);
    expect(g.ops.filter((o) => o.kind === 'layernorm').every((o) => o.attrs.kind === 'norm' && o.attrs.rms)).toBe(true);
    const tiny = llama({ hidden: 32, layers: 1, heads: 4, kvHeads: 2, intermediate: 64, vocab: 50, seq: 8, batch: 1, tieEmbeddings: true });
    expect(inspectGraph(tiny).params).toBe(50 * 32 + 4 * 32 * 32 - 2 * 32 * 16 + 3 * 32 * 64 + 2 * 32 + 32);
  });
});

describe('zooModel', () => {
  it('takes batch and seq overrides and knows defaults', () => {
    const g: ModelGraph = zooModel('gpt-1.3B', { batch: 8, seq: 512 });
    expect([g.batch, g.seq, g.source, g.family]).toEqual([8, 512, 'zoo:gpt-1.3B', 'gpt']);
    expect(zooDefaults('wresnet-13B')).toEqual({ family: 'wresnet', batch: 1520 });
    expect(zooDefaults('gpt-39B')).toEqual({ family: 'gpt', batch: 1024, seq: 1024 });
    expect(zooDefaults('toString')).toBeUndefined();
  });

  it('names the valid models when the name is unknown, and rejects bad sizes', () => {
    expect(() => zooModel('gpt-3B')).toThrow(ZooError);
    expect(() => zooModel('gpt-3B')).toThrow(/unknown zoo model 'gpt-3B' \(known: gpt-350M, gpt-760M,.* llama-7B/);
    expect(() => zooModel('gpt-350M', { batch: 0 })).toThrow(/batch must be a positive integer, got 0/);
    expect(() => gpt({ hidden: 100, layers: 1, heads: 3, vocab: 10, seq: 4, batch: 1 })).toThrow(/hidden 100 is not a multiple of heads 3/);
  });
});

describe('dimension overrides (the page sliders)', () => {
  const params = (g: ModelGraph) => inspectGraph(g).params;
  it('a model with another entry dimensions has that entry parameter count, and stays in its family', () => {
    expect(params(zooModel('gpt-1.3B', { dims: { hidden: 2560, layers: 32 } }))).toBe(params(zooModel('gpt-2.6B')));
    const moe = zooModel('moe-380M', { dims: { experts: 16 } });
    expect(params(moe)).toBe(params(zooModel('moe-690M')));
    expect(moe.family).toBe('moe');
    expect(moe.name).toBe('moe-380M (experts=16)');
    expect(zooModel('gpt-350M', { dims: { layers: 24 } }).name).toBe('gpt-350M');
  });
  it('refuses a key that is not a dimension of the family, and a non-positive value, by name', () => {
    expect(() => zooModel('gpt-350M', { dims: { experts: 8 } })).toThrow(new ZooError("zoo model gpt-350M: 'experts' is not a dimension of its family"));
    expect(() => zooModel('llama-tiny', { dims: { hidden: 0 } })).toThrow(new ZooError('zoo model llama-tiny: hidden must be a positive integer, got 0'));
    expect(() => zooModel('gpt-350M', { dims: { name: 3 } })).toThrow(ZooError);
  });
});
