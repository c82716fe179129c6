/**
 * The two errors that cancel in bench/bridge's rows (README.md "Why the pieces miss"), held from gemm-run.sh's one
 * device call (one NVIDIA H100 80GB HBM3, nvidia-h100-x1, 2026-12-06 06:16 UTC, JAX 0.11.2): the steps' GEMM shapes
 * timed in PyTorch and as XLA dots (h100x1-gemm-probe.jsonl), and GPT-350M b8's step with and without remat, its
 * optimised HLO and kernel trace (h100x1-gemm-hlo-remat-*.tgz, summarised by gemm_kernels.py into
 * h100x1-gemm-kernels.json). Nothing here was fitted: the numbers say which mechanism each error is.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matmulSeconds } from '../../workers/core/cost/compute.ts';
import { opSeconds, tensorLookup } from '../../workers/core/cost/opCost.ts';
import { zooModel } from '../../workers/core/zoo/index.ts';
import { FIXED_RUNS, FIXED_RUNS_FILES, measuredLines, measuredRuns, predict, PROFILE_FILES, profiled, runFlags, runKey, scoreOpSeconds, stepPieces } from './rows.ts';

const here = (name: string) => new URL(name, import.meta.url).pathname;

interface ProbeRow {
  readonly framework: 'torch' | 'jax';
  readonly xlaFlags: string;
  readonly model: string;
  readonly op: string;
  readonly layout: string;
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly dtype: string;
  readonly inputs: 'randn' | 'weights-0.02';
  readonly s: number;
}
interface ScoreKernel {
  readonly name: string;
  readonly loop: string;
  readonly calls: number;
  readonly msPerCall: number;
  readonly bytesPerScoreElement: number;
  readonly output: string;
}
interface Program { readonly scoreKernels: readonly ScoreKernel[]; readonly gemmCalls: number; readonly gemmMs: number }

const probe = measuredLines(here('h100x1-gemm-probe.jsonl')) as unknown as ProbeRow[];
const kernels = JSON.parse(readFileSync(here('h100x1-gemm-kernels.json'), 'utf8')) as { rematOn: Program; rematOff: Program } & Record<string, Program>;
const LINEAR = new Set(['qkv', 'proj', 'fc', 'fc2']);
const autotuneOff = (r: ProbeRow) => r.xlaFlags.includes('autotune_level=0');
const find = (r: ProbeRow, p: Partial<ProbeRow>) => probe.find((q) => Object.entries(p).every(([k, v]) => q[k as keyof ProbeRow] === v)
  && q.model === r.model && q.op === r.op && q.layout === r.layout && q.dtype === r.dtype);
/** Seconds of one layer's linear GEMMs (forward, dgrad, wgrad of qkv, proj, fc, fc2), bf16, randn. */
const layerLinear = (model: string, framework: string) => probe
  .filter((r) => r.framework === framework && !autotuneOff(r) && r.model === model && LINEAR.has(r.op) && r.dtype === 'bfloat16' && r.inputs === 'randn')
  .reduce((s, r) => s + r.s, 0);
/** The GEMM kernels of the trace per layer: the score-sized fusions of a 24-layer program's loops. */
const perLayer = (p: Program) => p.scoreKernels.filter((k) => k.calls === 24 && !k.name.startsWith('gemm'));

describe('the GEMM piece (priced 11-23% slow on all 17 rows)', () => {
  it('is not the inputs: 0.02-scaled weights make no GEMM faster (mean over kernel-bound rows within 1%)', () => {
    const ratios = probe.filter((r) => r.inputs === 'randn' && !autotuneOff(r) && r.s > 150e-6 && r.op !== 'head')
      .map((r) => find(r, { framework: r.framework, inputs: 'weights-0.02', xlaFlags: r.xlaFlags })!.s / r.s);
    expect(ratios).toHaveLength(33);
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    expect(Math.abs(mean - 1)).toBeLessThan(0.01);
    // the LM head is slower with scaled weights, not faster (PyTorch +4.8% / +5.8%, XLA +8.7% / +8.4%)
    for (const r of probe.filter((q) => q.op === 'head' && q.inputs === 'randn' && !autotuneOff(q))) {
      expect(find(r, { framework: r.framework, inputs: 'weights-0.02' })!.s / r.s).toBeGreaterThan(1.04);
    }
  });

  it("is XLA's autotuned kernels on the 1.3B shapes: a layer's 12 linear GEMMs 3.18 ms as XLA dots, 3.56 ms in PyTorch (-10.6%)", () => {
    expect(layerLinear('gpt-1.3B', 'jax') * 1e3).toBeCloseTo(3.180, 2);
    expect(layerLinear('gpt-1.3B', 'torch') * 1e3).toBeCloseTo(3.559, 2);
    // the fitted curve prices those shapes as PyTorch runs them (they are on profile.py's grid): within 4%
    const gpu = profiled(PROFILE_FILES.single).gpu;
    const torch13 = probe.filter((r) => r.framework === 'torch' && r.model === 'gpt-1.3B' && LINEAR.has(r.op) && r.dtype === 'bfloat16' && r.inputs === 'randn');
    const priced = torch13.reduce((s, r) => s + matmulSeconds(gpu, 'bf16', { batch: 1, m: r.m, n: r.n, k: r.k }), 0);
    expect(priced / layerLinear('gpt-1.3B', 'torch')).toBeCloseTo(0.99, 1);
    // with XLA's autotuning off (--xla_gpu_autotune_level=0) XLA's fallback emitter is 1.5-59x slower: it is no
    // stand-in for cuBLAS's heuristic pick; PyTorch is
    const off = probe.filter(autotuneOff);
    expect(off).toHaveLength(40);
    const slowdowns = off.map((r) => r.s / find(r, { framework: 'jax', inputs: 'randn', xlaFlags: '' })!.s);
    expect(Math.min(...slowdowns)).toBeGreaterThan(1.5);
  });

  it('is the curve between grid points on the 350M shapes (hidden 1024, not on the grid): priced 17% over PyTorch', () => {
    const gpu = profiled(PROFILE_FILES.single).gpu;
    const torch = probe.filter((r) => r.framework === 'torch' && r.model === 'gpt-350M' && LINEAR.has(r.op) && r.dtype === 'bfloat16' && r.inputs === 'randn');
    const priced = torch.reduce((s, r) => s + matmulSeconds(gpu, 'bf16', { batch: 1, m: r.m, n: r.n, k: r.k }), 0);
    expect(layerLinear('gpt-350M', 'torch') * 1e3).toBeCloseTo(0.846, 2);
    expect(priced / layerLinear('gpt-350M', 'torch')).toBeCloseTo(1.17, 1);
    // (the XLA dots of these shapes, 27-100 us, time JAX's dispatch: 60 us for a 27 us GEMM; the trace says below)
    expect(layerLinear('gpt-350M', 'jax')).toBeGreaterThan(layerLinear('gpt-350M', 'torch'));
  });

  it("is one dot fewer recomputed per layer: XLA's remat program runs 555 GEMM kernels, 435 without remat (5 a layer, not 6)", () => {
    expect(kernels.rematOff.gemmCalls).toBe(435); // 24 x 18 + the LM head's 3
    expect(kernels.rematOn.gemmCalls).toBe(555);
    expect((kernels.rematOn.gemmCalls - kernels.rematOff.gemmCalls) / 24).toBe(5);
    // the trace's GEMM time, the same steps as device-run.sh C measured them (48.04 / 38.66 ms)
    expect(kernels.rematOn.gemmMs).toBeCloseTo(48.44, 1);
    expect(kernels.rematOff.gemmMs).toBeCloseTo(38.79, 1);
  });
});

describe("the GEMM piece without the block's dead recompute (what the model would price)", () => {
  it('falls from +15-23% to +8-18% on the 12 remat rows, level with the 5 rows without remat (+11-16%)', () => {
    const gpu = profiled(PROFILE_FILES.single).gpu;
    const measured = measuredRuns(FIXED_RUNS_FILES.c, FIXED_RUNS_FILES.l);
    const errors = { remat: [] as number[], noRemat: [] as number[] };
    for (const r of FIXED_RUNS) {
      const gemmMs = measured.get(runKey(r))?.kernels?.byClassMs?.gemm;
      if (gemmMs === undefined) continue;
      const mb = r.microbatches ?? 1;
      const g = zooModel(r.model, { batch: r.batch / mb, seq: 1024 });
      const t = tensorLookup(g);
      let s = 0;
      for (const op of g.ops.filter((o) => o.kind === 'dot')) {
        const c = opSeconds(op, t, gpu, r.precision ?? 'bf16-adam32');
        // a block's last projection feeds only the residual add, whose sum is the next block's checkpoint: XLA
        // drops its recompute (5 recomputed GEMMs a layer, above)
        const recomputed = r.remat && /\/(h|layers)\.\d+\//.test(op.name) && !/\/mlp\/(proj|down_proj)$/.test(op.name);
        s += (c.forwardSeconds * (recomputed ? 2 : 1) + c.backwardSeconds) * mb;
      }
      (r.remat ? errors.remat : errors.noRemat).push(s / (gemmMs / 1e3) - 1);
    }
    const range = (e: number[]) => [Math.min(...e), Math.max(...e)].map((x) => Math.round(x * 1000) / 1000);
    expect(errors.remat).toHaveLength(12);
    expect(range(errors.remat)).toEqual([0.083, 0.179]);
    expect(range(errors.noRemat)).toEqual([0.11, 0.161]);
  });
});

describe('the rest of a remat step (priced 23-34% fast on all 12 remat rows)', () => {
  it('runs 4 score-sized fusions a layer with remat (1.62 ms), 5 without (1.59 ms): the model prices 0.83 ms', () => {
    const on = perLayer(kernels.rematOn);
    const off = perLayer(kernels.rematOff);
    expect(on.map((k) => `${k.loop} ${k.bytesPerScoreElement}`)).toEqual(['forward 9', 'backward 2', 'backward 4', 'backward 6']);
    expect(off.map((k) => `${k.loop} ${k.bytesPerScoreElement}`)).toEqual(['forward 11', 'forward 4', 'forward 6', 'backward 6', 'backward 9']);
    const ms = (ks: readonly ScoreKernel[]) => ks.reduce((s, k) => s + k.msPerCall, 0);
    expect(ms(on)).toBeCloseTo(1.624, 2);
    expect(ms(off)).toBeCloseTo(1.591, 2);
    // softmax backward under remat: recomputes the probabilities from the bf16 scores inside the kernel, 0.745 ms
    expect(on[3].msPerCall).toBeCloseTo(0.745, 2);
    const gpu = profiled(PROFILE_FILES.single).gpu;
    expect(scoreOpSeconds({ model: 'gpt-350M', batch: 8, remat: true }, gpu) / 24 * 1e3).toBeCloseTo(0.83, 1);
  });

  it('reads a step-wide mask (1 B) and -1e9 fill (4 B) in every forward softmax: 5 of its 9 bytes an element', () => {
    const broadcasts = kernels.rematOn.scoreKernels.filter((k) => k.calls === 1);
    expect(broadcasts.map((k) => k.output)).toEqual(['pred[8,16,1024,1024]', 'f32[8,16,1024,1024]']);
  });

  it('the same steps as device-run.sh C: 115.6, 149.4 ms (350M b8), 197.2 (350M b16), 162.1 (760M b8), 251.2 (1.3B b8)', () => {
    const runs = measuredLines(here('h100x1-gemm-remat-runs.jsonl'));
    expect(runs.map((r) => Math.round((r.stepSeconds ?? 0) * 1e4) / 10)).toEqual([115.6, 149.4, 197.2, 162.1, 251.2]);
  });

  it('on four remat rows the 4 score kernels cost 0.70-0.79 ms a layer beyond the model, not in proportion to the score size', async () => {
    const gpu = profiled(PROFILE_FILES.single).gpu;
    const measured = measuredRuns(FIXED_RUNS_FILES.c, FIXED_RUNS_FILES.l);
    const programs: Record<string, Program> = {
      'gpt-350M b8 remat=on': kernels.rematOn, 'gpt-760M b8 remat=on': kernels['gpt-760M b8 remat=on'],
      'gpt-350M b16 remat=on': kernels['gpt-350M b16 remat=on'], 'gpt-1.3B b8 remat=on': kernels['gpt-1.3B b8 remat=on'],
    };
    const got: Record<string, [number, number, number, number]> = {};
    for (const r of FIXED_RUNS.filter((x) => programs[runKey(x)])) {
      const p = programs[runKey(r)];
      expect(p.gemmCalls).toBe(555); // every one: 5 recomputed GEMMs a layer
      const layer = perLayer(p);
      expect(layer).toHaveLength(4);
      const ms = layer.reduce((s, k) => s + k.msPerCall, 0);
      const priced = scoreOpSeconds(r, gpu) / 24 * 1e3;
      const pc = stepPieces(r, measured.get(runKey(r))!, (await predict(runFlags(r, PROFILE_FILES.single))).p.stepSeconds, gpu)!;
      // [score kernels a layer, priced a layer, beyond the price over 24 layers, the rest's gap], ms
      got[runKey(r)] = [+ms.toFixed(2), +priced.toFixed(2), +((ms - priced) * 24).toFixed(1), +((pc.rest.measured - pc.rest.predicted) * 1e3).toFixed(1)];
    }
    expect(got).toEqual({
      'gpt-350M b8 remat=on': [1.62, 0.83, 19.1, 22.4], 'gpt-760M b8 remat=on': [1.61, 0.83, 18.8, 28.4],
      'gpt-350M b16 remat=on': [2.36, 1.62, 17.7, 25.2], 'gpt-1.3B b8 remat=on': [2.4, 1.62, 18.7, 27.8],
    });
    // the softmax backward: 0.745 ms on 128 x 2^20 elements (1.08 TB/s), 0.83-0.85 on twice as many (1.9 TB/s)
    expect(perLayer(kernels['gpt-350M b16 remat=on'])[3].msPerCall).toBeCloseTo(0.830, 2);
  }, 120_000);
});
