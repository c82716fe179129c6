/**
 * Holds bench/bridge's numbers (README.md), measured on one NVIDIA H100 80GB HBM3 lent on 2026-12-06 (JAX 0.11.2):
 * the profile of that GPU and its fit, the exported JAX scripts' steps against Meshplan's predictions on it, and
 * the memory limit XLA was given and what it held under each allocator setting.
 */
import { describe, expect, it } from 'vitest';
import { FRAGMENTATION_OOM_ROWS } from '../fidelity/rows.ts';
import {
  ASYNC_RUNS_FILE, calibrationRowsOnProfile, FIXED_RUNS, FIXED_RUNS_FILES, FOLD_RUN_FILE, GPU_RUNS, lineRun, type MeasuredRun, measuredLines, measuredRuns,
  MEMORY_RUNS_FILE, OOM_SIDE_RUNS, predict, PROFILE_FILES, profiled, runFlags, runKey, scoreOpSeconds, stepPieces, xlaStepBytes,
} from './rows.ts';

const GiB = 2 ** 30;

describe('bench/bridge on the lent H100', () => {
  it('fits the profile of the GPU: bf16 GEMMs over 35 us within 11%, memory-bound kernels over 64 MiB within 5%', () => {
    const fit = profiled(PROFILE_FILES.single);
    const held = fit.points.filter((p) => !p.leftOut);
    const worst = (kind: (p: (typeof held)[number]) => boolean) => Math.max(...held.filter(kind).map((p) => Math.abs(p.error)));
    const bf16 = (p: (typeof held)[number]) => p.kind === 'matmul' && p.label.startsWith('bfloat16');
    expect(held.filter(bf16)).toHaveLength(36);
    expect(worst(bf16)).toBeCloseTo(0.111, 3); // 1.1 points over the 10% (knots inside the measured range)
    expect(worst((p) => p.kind === 'bandwidth')).toBeLessThan(0.05);
    // profile.py timed its XLA fusions one synchronised call at a time (64 MiB copies at 0.7 TB/s): left out
    expect(fit.notes.join('\n')).toMatch(/15 XLA rows were timed one synchronised call at a time/);
  });

  it('predicts the 24 calibration steps on the profiled cluster: mean under 6%, the one OOM a step explains, every fit and ranking', async () => {
    const s = await calibrationRowsOnProfile();
    expect(s.meanAbsError).toBeLessThan(0.06);
    expect(s.worstAbsError).toBeLessThan(0.19);
    expect(s.oomRowsPredictedInfeasible).toBe(1);
    expect([...s.oomRowsPredictedFeasible].sort()).toEqual([...FRAGMENTATION_OOM_ROWS].sort());
    expect(s.feasibleRowsPredictedFeasible).toBe(19);
    expect(s.groupsMatching).toBe(5);
  }, 120_000);

  it("agrees with the H100 on every run's out-of-memory: the issue's six and three larger programs", async () => {
    const measured = measuredRuns();
    const outcome: Record<string, string> = {};
    for (const r of [...GPU_RUNS, ...OOM_SIDE_RUNS]) {
      const p = (await predict(runFlags(r, PROFILE_FILES.single))).p;
      outcome[runKey(r)] = `${p.feasible ? 'fits' : 'OOM'} / ${measured.get(runKey(r))!.oom ? 'OOM' : 'ran'}`;
    }
    expect(outcome).toEqual({
      'gpt-350M b8 remat=on': 'fits / ran', 'gpt-350M b8 remat=off': 'fits / ran', 'gpt-350M b16 remat=on': 'fits / ran',
      'gpt-350M b16 remat=off': 'OOM / OOM', 'gpt-1.3B b8 remat=on': 'fits / ran', 'gpt-1.3B b8 remat=off': 'OOM / OOM',
      'gpt-760M b16 remat=off': 'OOM / OOM', 'gpt-2.6B b8 remat=off': 'OOM / OOM', 'gpt-1.3B b16 remat=off': 'OOM / OOM',
    });
  }, 120_000);

  it('the attention fix, by kernel: the score-sized converts and transposes are gone, steps and temporaries smaller', () => {
    const before = measuredRuns();
    const after = measuredRuns(FIXED_RUNS_FILES.c, FIXED_RUNS_FILES.l);
    const llamaBefore = measuredRuns(FIXED_RUNS_FILES.c);
    const kernel = (m: MeasuredRun, name: string) => m.kernels!.top!.find((k) => k.name === name);
    const k350 = 'gpt-350M b8 remat=on';
    // MHA: scored through the 5-D grouped einsum and converted to fp32 before scaling: 96 score-sized converts
    expect(kernel(before.get(k350)!, 'loop_convert_fusion')).toMatchObject({ count: 96 });
    expect(kernel(before.get(k350)!, 'loop_convert_fusion')!.ms).toBeCloseTo(23.2, 1);
    expect(kernel(after.get(k350)!, 'loop_convert_fusion')).toMatchObject({ count: 24 });
    expect(kernel(after.get(k350)!, 'loop_convert_fusion')!.ms).toBeLessThan(1.3);
    expect(before.get(k350)!.stepSeconds! * 1e3).toBeCloseTo(129.4, 1);
    expect(after.get(k350)!.stepSeconds! * 1e3).toBeCloseTo(115.1, 1);
    expect(before.get('gpt-1.3B b8 remat=on')!.stepSeconds! * 1e3).toBeCloseTo(296.9, 1);
    expect(after.get('gpt-1.3B b8 remat=on')!.stepSeconds! * 1e3).toBeCloseTo(250.8, 1);
    // ~3.2 bytes per score element less: 350M b8 without remat 48.57 -> 38.88 GiB; 760M b8 over the limit -> ran
    expect(xlaStepBytes(before.get('gpt-350M b8 remat=off')!)! / GiB).toBeCloseTo(48.57, 2);
    expect(xlaStepBytes(after.get('gpt-350M b8 remat=off')!)! / GiB).toBeCloseTo(38.88, 2);
    expect(before.get('gpt-760M b8 remat=off')).toBeUndefined(); // run only under the H100 arena emulation: OOM at 59.46 GiB
    expect(after.get('gpt-760M b8 remat=off')).toMatchObject({ oom: false });
    // GQA: scores came out [b, kv, q, g, k] and were transposed, forward and backward
    const ll = 'tinyllama-1.1B b8 remat=on';
    expect(kernel(llamaBefore.get(ll)!, 'input_transpose_fusion')).toMatchObject({ count: 418 });
    expect(kernel(llamaBefore.get(ll)!, 'input_transpose_fusion')!.ms).toBeCloseTo(121.3, 1);
    expect(kernel(after.get(ll)!, 'input_transpose_fusion')).toMatchObject({ count: 198 }); // q and context: [b, s, h, d] sized
    expect(kernel(after.get(ll)!, 'input_transpose_fusion')!.ms).toBeCloseTo(8.7, 1);
    expect([llamaBefore.get(ll)!.stepSeconds! * 1e3, after.get(ll)!.stepSeconds! * 1e3].map((x) => +x.toFixed(1))).toEqual([315.9, 219.4]);
    const lb4 = 'tinyllama-1.1B b4 remat=off';
    expect([xlaStepBytes(llamaBefore.get(lb4)!)!, xlaStepBytes(after.get(lb4)!)!].map((x) => +(x / GiB).toFixed(2))).toEqual([49.33, 41.28]);
  });

  it('after the fix, every row against the prediction: derived rows and rows the model had not seen', async () => {
    const measured = measuredRuns(FIXED_RUNS_FILES.c, FIXED_RUNS_FILES.l);
    const got: Record<string, string> = {};
    for (const r of FIXED_RUNS) {
      const p = (await predict(runFlags(r, PROFILE_FILES.single))).p;
      const m = measured.get(runKey(r))!;
      const held = m.stepSeconds ? m.memory!.peakBytesInUse : xlaStepBytes(m)!;
      expect(m.device).toBe('NVIDIA H100 80GB HBM3');
      const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;
      got[runKey(r)] = `${r.sample} ${m.stepSeconds ? pct(p.stepSeconds / m.stepSeconds - 1) : 'OOM'} ${pct(p.memoryBytes / held - 1)} ${p.feasible ? 'fits' : 'OOM'}/${m.oom ? 'OOM' : 'ran'}`;
    }
    // step error, memory error (against the peak where it ran, else XLA's argument + temp), predicted / measured
    expect(got).toEqual({
      'gpt-350M b8 remat=on': 'derived -12.5% -3.4% fits/ran',
      'gpt-350M b8 remat=off': 'derived +0.0% -0.8% fits/ran',
      'gpt-350M b16 remat=on': 'derived -5.5% -10.9% fits/ran',
      'gpt-1.3B b8 remat=on': 'derived -2.5% +2.2% fits/ran',
      'gpt-760M b8 remat=off': 'derived +0.6% -0.6% fits/ran',
      'gpt-350M b16 remat=off': 'derived OOM -1.6% OOM/OOM',
      'gpt-1.3B b8 remat=off': 'derived OOM +2.1% OOM/OOM',
      'gpt-760M b8 remat=on': 'check -7.7% +4.5% fits/ran',
      'gpt-760M b16 remat=on': 'check -1.6% +1.4% fits/ran',
      'gpt-1.3B b16 remat=on': 'check -3.0% +3.1% fits/ran',
      'gpt-2.6B b8 remat=on': 'check -2.8% +4.1% fits/ran',
      'gpt-350M b8 remat=on mb2': 'check -11.3% -7.8% fits/ran',
      'gpt-350M b16 remat=off mb4': 'check -9.5% -2.2% fits/ran',
      'gpt-350M b8 remat=on fp16-mixed': 'check -10.1% -2.9% fits/ran',
      'gpt-350M b8 remat=off fp16-mixed': 'check +0.7% -0.8% fits/ran',
      'gpt-1.3B b8 remat=on fp16-mixed': 'check -0.3% +2.4% fits/ran',
      'gpt-1.3B b8 remat=on bf16-mixed': 'check -2.1% +2.4% fits/ran',
      'tinyllama-1.1B b8 remat=on': 'check -5.0% +0.4% fits/ran',
      'tinyllama-1.1B b4 remat=off': 'check -3.5% -4.8% fits/ran',
    });
  }, 180_000);

  it('the step in pieces: GEMMs priced 11-23% slow, the rest of a remat step 23-34% fast (12 score-sized fusions a layer)', async () => {
    const measured = measuredRuns(FIXED_RUNS_FILES.c, FIXED_RUNS_FILES.l);
    const gpu = profiled(PROFILE_FILES.single).gpu;
    const gemm: number[] = [], remat: number[] = [], plain: number[] = [];
    for (const r of FIXED_RUNS.filter((x) => measured.get(runKey(x))!.stepSeconds)) {
      const m = measured.get(runKey(r))!;
      const pc = stepPieces(r, m, (await predict(runFlags(r, PROFILE_FILES.single))).p.stepSeconds, gpu)!;
      gemm.push(pc.gemm.predicted / pc.gemm.measured - 1);
      (r.remat ? remat : plain).push(pc.rest.predicted / pc.rest.measured - 1);
    }
    expect(gemm).toHaveLength(17);
    expect(Math.min(...gemm)).toBeGreaterThan(0.10);
    expect(Math.max(...gemm)).toBeLessThan(0.24);
    expect(remat).toHaveLength(12);
    expect(Math.max(...remat)).toBeLessThan(-0.22);
    expect(Math.min(...remat)).toBeGreaterThan(-0.35);
    expect(plain.map((x) => +x.toFixed(2))).toEqual([-0.04, -0.05, -0.17, -0.04, -0.12]);
    // the remat programs' kernels named plain 'fusion': 12 a layer (24 layers + 3), each as long as the score
    // tensor is large (b x heads x s^2: 128, 256, 256, 512 x 2^20 elements)
    const fusion = (k: string) => measured.get(k)!.kernels!.top!.find((x) => x.name === 'fusion')!;
    for (const k of ['gpt-350M b8 remat=on', 'gpt-350M b16 remat=on', 'gpt-1.3B b8 remat=on', 'gpt-1.3B b16 remat=on']) expect(fusion(k).count).toBe(291);
    expect(['gpt-350M b8 remat=on', 'gpt-350M b16 remat=on', 'gpt-1.3B b8 remat=on', 'gpt-1.3B b16 remat=on'].map((k) => +(fusion(k).ms / fusion(k).count).toFixed(3)))
      .toEqual([0.149, 0.227, 0.227, 0.453]);
  }, 180_000);

  it("a remat step's missing rest is its plain 'fusion' kernels beyond what the model prices for the score-sized ops", async () => {
    const measured = measuredRuns(FIXED_RUNS_FILES.c, FIXED_RUNS_FILES.l);
    const gpu = profiled(PROFILE_FILES.single).gpu;
    const got: Record<string, [number, number, number]> = {};
    for (const r of FIXED_RUNS.filter((x) => x.remat && measured.get(runKey(x))!.stepSeconds)) {
      const m = measured.get(runKey(r))!;
      const pc = stepPieces(r, m, (await predict(runFlags(r, PROFILE_FILES.single))).p.stepSeconds, gpu)!;
      const fusionMs = m.kernels!.top!.find((k) => k.name === 'fusion')!.ms;
      const scoreMs = scoreOpSeconds(r, gpu) * 1e3;
      // [priced score-sized ops, plain 'fusion' kernels beyond them, the rest's gap], ms
      got[runKey(r)] = [+scoreMs.toFixed(1), +(fusionMs - scoreMs).toFixed(1), +((pc.rest.measured - pc.rest.predicted) * 1e3).toFixed(1)];
    }
    expect(got).toEqual({
      'gpt-350M b8 remat=on': [19.9, 23.5, 22.4], 'gpt-350M b16 remat=on': [38.9, 27.0, 25.2], 'gpt-1.3B b8 remat=on': [38.9, 27.0, 27.8],
      'gpt-760M b8 remat=on': [19.9, 26.2, 28.4], 'gpt-760M b16 remat=on': [38.9, 34.4, 36.4], 'gpt-1.3B b16 remat=on': [77.0, 54.8, 54.7],
      'gpt-2.6B b8 remat=on': [51.9, 40.8, 56.9], 'gpt-350M b8 remat=on mb2': [20.7, 23.9, 25.6],
      'gpt-350M b8 remat=on fp16-mixed': [19.9, 22.2, 20.3], 'gpt-1.3B b8 remat=on fp16-mixed': [38.9, 25.9, 26.6],
      'gpt-1.3B b8 remat=on bf16-mixed': [38.9, 26.8, 27.7], 'tinyllama-1.1B b8 remat=on': [35.7, 18.1, 30.5],
    });
  }, 180_000);

  it('two steps back to back hold one step (the same peak) and run 1.4-2% faster; the fold run matches one stage with two micro-batches', () => {
    const sync = measuredRuns(FIXED_RUNS_FILES.c);
    const b2b = measuredLines(ASYNC_RUNS_FILE);
    expect(b2b.map((m) => m.async)).toEqual([true, true]);
    for (const m of b2b) {
      const s = sync.get(runKey(lineRun(m)))!;
      expect(Math.abs(m.memory!.peakBytesInUse - s.memory!.peakBytesInUse)).toBeLessThan(2 ** 20);
      expect(1 - m.stepSeconds! / s.stepSeconds!).toBeGreaterThan(0.013);
      expect(1 - m.stepSeconds! / s.stepSeconds!).toBeLessThan(0.021);
    }
    const [fold] = measuredLines(FOLD_RUN_FILE);
    expect(fold.error).toBeUndefined();
    expect(fold.remat).toEqual([true, true]);
    expect(fold.stepSeconds! / sync.get('gpt-350M b8 remat=on mb2')!.stepSeconds!).toBeCloseTo(1, 2);
  });

  it('the ZeRO-3 and Llama scripts run under JAX on 8 virtual CPU devices: loss at ln(vocab 512), their collectives', () => {
    const lines = measuredLines(new URL('h100x1-c-cpu-meshes.jsonl', import.meta.url).pathname) as (MeasuredRun & { collectives: Record<string, number> })[];
    expect(lines.map((m) => m.plan)).toEqual(['ZeRO-3', 'Meshplan', 'Megatron dp=2 tp=2 pp=2']);
    for (const m of lines) expect(Math.abs(m.loss! - Math.log(512))).toBeLessThan(0.05);
    expect(lines[0].collectives['all-gather']).toBe(26);
    expect(lines[2].collectives).toMatchObject({ 'all-reduce': 20, 'all-gather': 24, 'collective-permute': 4 });
  });

  it('XLA is given 75% of HBM by default and holds one step: argument + temp', () => {
    const runs = measuredLines(MEMORY_RUNS_FILE).concat(measuredLines(new URL('h100x1-runs.jsonl', import.meta.url).pathname));
    const limit = (env: string) => runs.find((m) => JSON.stringify(m.env ?? {}) === env && m.memory!.bytesLimit > 0)!.memory!.bytesLimit / GiB;
    expect(limit('{}')).toBeCloseTo(0.75 * 79.18, 1);
    expect(limit('{"XLA_PYTHON_CLIENT_PREALLOCATE":"false"}')).toBeCloseTo(0.75 * 79.18, 1);
    expect(limit('{"XLA_PYTHON_CLIENT_MEM_FRACTION":"0.95"}')).toBeCloseTo(0.95 * 79.18, 1);
    // every run that ran peaked at its argument + temp; every run whose argument + temp passed the limit failed
    for (const m of runs.filter((x) => !x.oom)) expect(Math.abs(m.memory!.peakBytesInUse - xlaStepBytes(m)!) / GiB).toBeLessThan(0.01);
    const over = runs.filter((m) => xlaStepBytes(m) !== undefined && m.memory!.bytesLimit > 0 && xlaStepBytes(m)! > m.memory!.bytesLimit);
    expect(over.length).toBe(9);
    // 7 more failed while compiling (the autotuner found no memory to time its candidates in): temp unknown
    expect(runs.filter((m) => m.oom && xlaStepBytes(m) === undefined)).toHaveLength(7);
    expect(over.every((m) => m.oom)).toBe(true);
    // the closest: gpt-760M b8 without remat, 59.46 GiB against 59.38
    const closest = runs.find((m) => m.model === 'gpt-760M' && m.globalBatch === 8)!;
    expect(xlaStepBytes(closest)! / GiB).toBeCloseTo(59.46, 2);
    expect(closest.oom).toBe(true);
  });
});
