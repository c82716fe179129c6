import { describe, expect, it } from 'vitest';
import { CLUSTER_PRESETS } from './cluster/presets.ts';
import type { Cluster } from './cluster/types.ts';
import { createHighsSolver, runIntra } from './intra/index.ts';
import { defaultPlanOptions, plan } from './plan.ts';
import type { IntraFn } from './plan/context.ts';
import { gptStepFlops } from './plan/flops.ts';
import { inspectGraph } from './ir/inspect.ts';
import type { PlanOptions, Progress } from './plan/types.ts';
import { simulateSchedule } from './schedule/pipelineSchedule.ts';
import { zooModel } from './zoo/index.ts';

// 'manual' prices the template strategy only (no ILP): fast and deterministic; the ILP path is covered by
// bench/paper/paperClaims.test.ts.
const deps = { intra: 'manual' as const };
const p3 = (nodes: number, gpus: number): Cluster => CLUSTER_PRESETS['p3.16xlarge'].cluster(nodes, gpus);
const gpt = zooModel('gpt-350M', { batch: 64 });
const base: PlanOptions = { ...defaultPlanOptions(gpt), globalBatch: 64 };

async function ok(model = gpt, cluster = p3(1, 4), options: Partial<PlanOptions> = {}) {
  const r = await plan(model, cluster, { ...base, ...options }, undefined, undefined, deps);
  if (!r.ok) throw new Error(r.reason);
  return r.plan;
}

describe('plan()', () => {
  it('GPT-350M on 4 V100s: stages cover the layers and the devices; step time is the simulated schedule', async () => {
    const progress: Progress[] = [];
    const r = await plan(gpt, p3(1, 4), base, (p) => progress.push(p), undefined, deps);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const p = r.plan;
    expect(p.feasible).toBe(true);
    expect(p.stages[0].layers[0]).toBe(0);
    expect(p.stages[p.stages.length - 1].layers[1]).toBe(16);
    for (let i = 1; i < p.stages.length; i++) expect(p.stages[i].layers[0]).toBe(p.stages[i - 1].layers[1]);
    expect(p.stages.flatMap((s) => s.devices).sort()).toEqual([0, 1, 2, 3]);
    for (const s of p.stages) {
      expect(s.logicalMesh[0] * s.logicalMesh[1]).toBe(s.devices.length);
      expect(s.memoryBytesPerDevice).toBeLessThanOrEqual(s.memoryLimitBytes);
    }
    const sim = simulateSchedule({
      schedule: p.schedule, microbatches: p.microbatches,
      stages: p.stages.map((s) => ({ forwardSeconds: s.forwardSeconds, backwardSeconds: s.backwardSeconds, sendSeconds: s.sendSeconds, gradientSyncSeconds: s.gradientSyncSeconds })),
    });
    expect(p.stepSeconds).toBeCloseTo(sim.stepSeconds, 12);
    expect(p.timeline.length).toBe(sim.events.length);
    expect(p.samplesPerSecond).toBeCloseTo(64 / p.stepSeconds, 9);
    // TFLOP/s by the paper's GPT formula, recomputation counted only where stages rematerialise.
    const remat = p.stages.every((s) => s.remat);
    const flops = gptStepFlops(64, 1024, 24, 1024, 51200, true, remat);
    if (remat || p.stages.every((s) => !s.remat)) expect(p.tflopsPerGpu).toBeCloseTo(flops / p.stepSeconds / 4 / 1e12, 6);
    expect(p.modelTflopsPerGpu).toBeCloseTo(gptStepFlops(64, 1024, 24, 1024, 51200, true, false) / p.stepSeconds / 4 / 1e12, 6);
    // Search trace and explanation.
    expect(p.trace.some((t) => t.label.startsWith('B='))).toBe(true);
    expect(p.explanation.dominantTerms[0].term).toBe('compute');
    expect(p.explanation.summary).toContain('TFLOP/s per GPU');
    // Progress: named phases, done <= total, few calls.
    expect(new Set(progress.map((x) => x.phase))).toEqual(new Set(['stage costs', 'stage DP', 'baseline seeds']));
    for (const x of progress) expect(x.done).toBeLessThanOrEqual(x.total);
    expect(progress.length).toBeLessThan(20);
  });

  it('holds a tied parameter (GPT embedding = LM head) once per stage', async () => {
    const p = await ok(gpt, p3(1, 1), { microbatches: 64 });
    expect(p.stages.length).toBe(1);
    // fp16-mixed: 2 B params, 2 B grads, 12 B master + Adam per parameter, all on the one device.
    const params = inspectGraph(gpt).params;
    expect(p.stages[0].memory.paramBytes).toBeCloseTo(2 * params, -3);
    expect(p.stages[0].memory.optimizerBytes).toBeCloseTo(12 * params, -3);
  });

  it('template-priced stages carry the template sharding in Alpa notation', async () => {
    const p = await ok(gpt, p3(1, 4), { baseline: undefined, microbatches: 4, remat: 'off' });
    for (const s of p.stages) {
      expect(s.sharding?.message).toContain('template');
      expect(s.sharding!.meshShape).toEqual(s.logicalMesh);
    }
    const tp = await ok(gpt, p3(1, 4), { baseline: 'megatron', dp: 2, tp: 2, pp: 1, microbatches: 4 });
    const ops = tp.stages[0].sharding!.ops;
    const qkv = ops.find((o) => o.name.endsWith('h.0/attn/qkv'))!;
    expect(qkv.strategy).toMatch(/^column-parallel/);
    expect([qkv.inputSpecs, qkv.outputSpecs]).toEqual([['S0RR', 'RS1'], ['S0RS1']]);
    const proj = ops.find((o) => o.name.endsWith('h.0/attn/proj'))!;
    expect([proj.inputSpecs, proj.outputSpecs]).toEqual([['S0RS1', 'S1R'], ['S0RR']]);
    expect(proj.communicationSeconds).toBeGreaterThan(0);
  });

  it('describeSharding: false leaves the stages\' per-operator sharding out, and nothing else', async () => {
    const options = { ...base, baseline: undefined, microbatches: 4, remat: 'off' } as const;
    const withIt = await plan(gpt, p3(1, 4), options, undefined, undefined, deps);
    const without = await plan(gpt, p3(1, 4), options, undefined, undefined, { ...deps, describeSharding: false });
    if (!withIt.ok || !without.ok) throw new Error('no plan');
    expect(withIt.plan.stages.every((s) => s.sharding !== undefined)).toBe(true);
    expect(without.plan.stages.every((s) => s.sharding === undefined)).toBe(true);
    const strip = (p: typeof withIt.plan) => ({ ...p, searchSeconds: 0, stages: p.stages.map(({ sharding: _s, ...s }) => s) });
    expect(strip(without.plan)).toEqual(strip(withIt.plan));
  });

  it('is deterministic', async () => {
    const a = await ok();
    const b = await ok();
    expect(b.stepSeconds).toBe(a.stepSeconds);
    expect(b.stages.map((s) => [s.layers, s.logicalMesh, s.remat])).toEqual(a.stages.map((s) => [s.layers, s.logicalMesh, s.remat]));
  });

  it('stops between jobs when the signal is aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('user cancelled'));
    await expect(plan(gpt, p3(1, 4), base, undefined, ac.signal, deps)).rejects.toThrow('user cancelled');
  });

  it('honours given micro-batches, remat on/off and the schedule', async () => {
    const p = await ok(gpt, p3(1, 4), { microbatches: 8, remat: 'on', schedule: 'gpipe' });
    expect(p.microbatches).toBe(8);
    expect(p.schedule).toBe('gpipe');
    expect(p.stages.every((s) => s.remat)).toBe(true);
    const q = await ok(gpt, p3(1, 4), { microbatches: 8, remat: 'off' });
    expect(q.stages.every((s) => !s.remat)).toBe(true);
    // Rematerialising costs a forward more per micro-batch: a slower step, more hardware FLOP/s than model FLOP/s.
    expect(p.tflopsPerGpu).toBeGreaterThan(p.modelTflopsPerGpu);
    expect(q.tflopsPerGpu).toBeCloseTo(q.modelTflopsPerGpu, 9);
  });

  it('rejects bad options as values, naming the option', async () => {
    const r = await plan(gpt, p3(1, 4), { ...base, microbatches: 7 }, undefined, undefined, deps);
    expect(r).toEqual({ ok: false, reason: 'microbatches must divide the global batch 64, got 7' });
    const m = await plan(gpt, p3(1, 4), { ...base, memoryLimitBytes: 2 ** 20 }, undefined, undefined, deps);
    expect(m.ok).toBe(false);
    if (!m.ok) expect(m.reason).toContain('no slicing fits in memory');
  });

  it('an unknown precision or runtime (a hand-edited share URL, an API caller) is named, not a TypeError', async () => {
    const rt = await plan(gpt, p3(1, 4), { ...base, runtime: 'tpu' as PlanOptions['runtime'] }, undefined, undefined, deps);
    expect(rt).toEqual({ ok: false, reason: "runtime must be one of megatron|xla, got 'tpu'" });
    const pr = await plan(gpt, p3(1, 4), { ...base, precision: 'int4' as PlanOptions['precision'] }, undefined, undefined, deps);
    expect(pr).toEqual({ ok: false, reason: "precision must be one of fp16-mixed|bf16-mixed|bf16-adam32|fp16-adafactor|fp32, got 'int4'" });
  });

  it("an OOM under the xla runtime names JAX's arena (75% of HBM, measured on an H100) as the limit", async () => {
    const g = zooModel('gpt-760M', { batch: 16, seq: 1024 });
    const opts: PlanOptions = { ...defaultPlanOptions(g), globalBatch: 16, microbatches: 1, remat: 'off', precision: 'bf16-adam32' };
    const h100 = CLUSTER_PRESETS['dgx-h100'].cluster(1, 1);
    const xla = await plan(g, h100, { ...opts, runtime: 'xla' }, undefined, undefined, deps);
    if (xla.ok) throw new Error('expected infeasible');
    expect(xla.reason).toContain("the xla runtime's allocator is given 75% of HBM (XLA_PYTHON_CLIENT_MEM_FRACTION");
    expect(xla.reason).toContain('of the 59.38 GiB per device');
  });

  it('an infeasible memory budget says by how much the model state alone misses it', async () => {
    const limitBytes = 2 ** 20;
    const m = await plan(gpt, p3(1, 4), { ...base, memoryLimitBytes: limitBytes }, undefined, undefined, deps);
    if (m.ok) throw new Error('expected infeasible');
    const params = gpt.tensors.filter((t) => t.kind === 'parameter').reduce((s, t) => s + t.shape.reduce((a, d) => a * d, 1), 0);
    const perDeviceGiB = (params * 16) / 4 / 2 ** 30; // fp16-mixed: 16 B/param, over 4 GPUs
    expect(m.reason).toContain(`need ${perDeviceGiB.toFixed(2)} GiB per device even spread over all 4 GPUs`);
    expect(m.reason).toContain(`${(perDeviceGiB - limitBytes / 2 ** 30).toFixed(2)} GiB over the 0.00 GiB limit`);
  });

  it('inference: no backward, inference schedule, throughput objective', async () => {
    const lat = await ok(gpt, p3(1, 4), { mode: 'infer', inferObjective: 'latency' });
    expect(lat.schedule).toBe('inference');
    expect(lat.stages.every((s) => s.backwardSeconds === 0 && s.gradientSyncSeconds === 0 && !s.remat)).toBe(true);
    expect(lat.stages.every((s) => s.memory.gradBytes === 0 && s.memory.optimizerBytes === 0)).toBe(true);
    const thr = await ok(gpt, p3(1, 4), { mode: 'infer', inferObjective: 'throughput' });
    expect(thr.samplesPerSecond).toBeGreaterThanOrEqual(lat.samplesPerSecond * 0.999);
    const train = await ok();
    expect(lat.stepSeconds).toBeLessThan(train.stepSeconds / 2);
  });

  it('heterogeneous cluster: every stage stays within one GPU type, both types used', async () => {
    const cluster: Cluster = {
      name: 'mixed', nodes: [{ gpu: 'V100-16GB', gpus: 4 }, { gpu: 'A100-40GB', gpus: 4 }],
      intraNode: { bandwidthBytesPerSecond: 130e9, latencySeconds: 1e-5 },
      interNode: { bandwidthBytesPerSecond: 25e9 / 8, latencySeconds: 3e-5 },
    };
    const p = await ok(gpt, cluster);
    const typeOf = (d: number) => (d < 4 ? 'V100-16GB' : 'A100-40GB');
    for (const s of p.stages) {
      expect(new Set(s.devices.map(typeOf))).toEqual(new Set([s.gpu]));
      expect(s.memoryLimitBytes).toBe(s.gpu === 'V100-16GB' ? 16 * 2 ** 30 : 40 * 2 ** 30);
    }
    expect(p.stages.flatMap((s) => s.devices).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('plan() with the intra-op pass', () => {
  it('runs ILP jobs concurrently when given a pool size, with the same result', async () => {
    const tiny = zooModel('gpt-tiny');
    const solver = createHighsSolver();
    let inFlight = 0;
    let most = 0;
    const calls: string[] = [];
    const intra: IntraFn = async (input) => {
      most = Math.max(most, ++inFlight);
      calls.push(input.meshShape.join('x'));
      try { return await runIntra(input, solver); } finally { inFlight--; }
    };
    const one = await plan(tiny, p3(1, 4), defaultPlanOptions(tiny), undefined, undefined, { intra, concurrency: 1 });
    expect(most).toBe(1);
    // gpt-tiny: 3 distinct units (embedding, block, head) x meshes with a model-parallel axis (1x2, 1x4, 2x2).
    expect(calls.length).toBe(9);
    most = 0;
    const two = await plan(tiny, p3(1, 4), defaultPlanOptions(tiny), undefined, undefined, { intra, concurrency: 2 });
    expect(most).toBe(2);
    expect(one.ok && two.ok).toBe(true);
    if (one.ok && two.ok) expect(two.plan.stepSeconds).toBe(one.plan.stepSeconds);
  }, 60_000);

  it('stages priced by the ILP carry its per-operator sharding, carried over to identical blocks by position', async () => {
    const g = zooModel('gpt-1.3B'); // the paper's case: one stage on 1x4 as 1x4, priced by the ILP
    const r = await plan(g, p3(1, 4), defaultPlanOptions(g), undefined, undefined, { solver: createHighsSolver() });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const withSharding = r.plan.stages.filter((s) => s.sharding);
    expect(withSharding.length).toBeGreaterThan(0);
    const ids = new Set(g.ops.map((o) => o.id));
    for (const s of withSharding) {
      const ops = s.sharding!.ops.map((o) => o.op);
      expect(new Set(ops).size).toBe(ops.length);
      for (const id of ops) expect(ids.has(id)).toBe(true);
      expect(s.sharding!.meshShape).toEqual(s.logicalMesh);
      // Block 1's ops appear under their own ids (not block 0's) whenever the stage holds block 1.
      if (s.layerNames?.includes('layer 1')) expect(ops.some((id) => g.ops.find((o) => o.id === id)?.path.includes('h.1/'))).toBe(true);
    }
  }, 60_000);
});

describe('baselines through plan()', () => {
  it('nodes with 3 GPUs: plans and grid points that do not pack are skipped, not thrown', async () => {
    const searched = await ok(gpt, p3(2, 3), { globalBatch: 96 });
    expect(searched.stages.flatMap((s) => s.devices).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    const grid = await plan(gpt, p3(2, 3), { ...base, globalBatch: 96, baseline: 'megatron' }, undefined, undefined, deps);
    expect(grid.ok).toBe(true);
    if (grid.ok) expect(grid.plan.trace.some((t) => /do not pack/.test(t.note ?? ''))).toBe(true);
  });

  it('Megatron at a given (dp, tp, pp): uniform stages of dp x tp devices', async () => {
    const p = await ok(gpt, p3(1, 8), { baseline: 'megatron', dp: 2, tp: 2, pp: 2 });
    expect(p.kind).toBe('megatron');
    expect(p.stages.length).toBe(2);
    expect(p.stages.map((s) => s.logicalMesh)).toEqual([[2, 2], [2, 2]]);
    // 24 blocks split 12 / 12, embedding with the first stage and head with the last (units: pre, 24 blocks, post).
    expect(p.stages.map((s) => s.layers)).toEqual([[0, 13], [13, 26]]);
  });

  it('Megatron grid: the best point, with the others as alternatives', async () => {
    const r = await plan(gpt, p3(1, 4), { ...base, baseline: 'megatron' }, undefined, undefined, deps);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const all = [r.plan, ...(r.alternatives ?? [])];
    expect(all.length).toBe(6); // (tp, pp): (1, 1|2|4), (2, 1|2), (4, 1)
    for (const q of r.alternatives ?? []) if (q.feasible) expect(q.stepSeconds).toBeGreaterThanOrEqual(r.plan.stepSeconds);
    expect(r.plan.explanation.runnerUp?.label).toMatch(/^Megatron dp=/);
  });

  it('data parallel, ZeRO-3: one stage over all devices; ZeRO-3 shards the model state', async () => {
    const dp = await ok(gpt, p3(1, 4), { baseline: 'dp', microbatches: 4, remat: 'on' });
    const z3 = await ok(gpt, p3(1, 4), { baseline: 'zero3', microbatches: 4, remat: 'on' });
    for (const p of [dp, z3]) {
      expect(p.stages.length).toBe(1);
      expect(p.stages[0].logicalMesh).toEqual([4, 1]);
    }
    expect(z3.stages[0].memory.paramBytes).toBeCloseTo(dp.stages[0].memory.paramBytes / 4, 0);
    expect(z3.stages[0].memory.optimizerBytes).toBeCloseTo(dp.stages[0].memory.optimizerBytes / 4, 0);
    expect(z3.stepSeconds).toBeGreaterThan(dp.stepSeconds);
  });

  it('intra-only is one stage on the whole cluster; inter-only keeps axis 1 at 1', async () => {
    const intra = await ok(gpt, p3(1, 4), { baseline: 'intra-only' });
    expect(intra.stages.length).toBe(1);
    expect(intra.stages[0].devices.length).toBe(4);
    const inter = await ok(gpt, p3(1, 4), { baseline: 'inter-only' });
    expect(inter.stages.every((s) => s.logicalMesh[1] === 1)).toBe(true);
    const searched = await ok();
    expect(searched.stepSeconds).toBeLessThanOrEqual(inter.stepSeconds * 1.0001);
    expect(searched.stepSeconds).toBeLessThanOrEqual(intra.stepSeconds * 1.0001);
  });
});
