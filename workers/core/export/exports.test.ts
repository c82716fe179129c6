import { describe, expect, it } from 'vitest';
import type { MemoryBreakdown } from '../cost/memory.ts';
import type { Plan, Stage } from '../inter/plan.ts';
import type { ShardingPlan } from '../intra/types.ts';
import { simulateSchedule } from '../schedule/pipelineSchedule.ts';
import {
  chromeTrace, jaxPartitionSpecs, jaxPartitionSpecsPython, megatronArgs, parseAlpaSpec, parsePlanJson, partitionSpecOf,
  planToJson, PLAN_JSON_FORMAT, stagePid, TRACE_THREADS,
} from './index.ts';

const MEMORY: MemoryBreakdown = { paramBytes: 1e9, gradBytes: 1e9, optimizerBytes: 6e9, activationBytes: 2e9, temporaryBytes: 0 };

function sharding(meshShape: [number, number]): ShardingPlan {
  return {
    status: 'optimal', objectiveSeconds: 0.03, forwardSeconds: 0.01, backwardSeconds: 0.02, gradientSyncSeconds: 0.05,
    meshShape, ops: [], collectives: [],
    tensors: [
      { tensor: 't1', name: 'h.0/attn/qkv/w', kind: 'parameter', shape: [2560, 7680], spec: 'RS1' },
      { tensor: 't2', name: 'h.0/attn/x', kind: 'activation', shape: [8, 1024, 2560], spec: 'S0RR' },
      { tensor: 't3', name: 'h.0/mlp/w1', kind: 'parameter', shape: [2560, 10240], spec: 'S01R' },
      { tensor: 't4', name: 'loss', kind: 'activation', shape: [], spec: '' },
    ],
    cost: { computeSeconds: 0.025, communicationSeconds: 0.005, reshardingSeconds: 0 },
    memory: MEMORY, memoryBytesPerDevice: 10e9, ilp: { variables: 10, constraints: 5, solveSeconds: 0.01 },
  };
}

function stage(index: number, layers: [number, number], logicalMesh: [number, number], remat = false): Stage {
  const devices = [0, 1, 2, 3].map((d) => d + 4 * index);
  return {
    index, layers, submesh: { nodeStart: 0, nodes: 1, gpuStart: 4 * index, gpusPerNode: 4 }, submeshShape: [1, 4],
    logicalMesh, devices, gpu: 'V100-16GB', forwardSeconds: 0.01, backwardSeconds: 0.02, gradientSyncSeconds: 0.05,
    sendSeconds: 0.002, sendBytes: 1e6, sendCrossesNodes: false, remat, memory: MEMORY, memoryBytesPerDevice: 10e9, memoryLimitBytes: 16e9,
    sharding: sharding(logicalMesh),
  };
}

function planOf(stages: Stage[], over: Partial<Plan> = {}): Plan {
  const schedule = over.schedule ?? '1f1b';
  const sim = simulateSchedule({ schedule, microbatches: 4, stages });
  return {
    kind: 'searched', label: 'Alpa', model: 'gpt-2.6B', cluster: 'p3.16xlarge:1x8', mode: 'train', globalBatch: 32,
    microbatches: 4, schedule, stages, feasible: true, stepSeconds: sim.stepSeconds, tflopsPerGpu: 60, modelTflopsPerGpu: 45,
    samplesPerSecond: 32 / sim.stepSeconds,
    breakdown: { computeSeconds: 0.12, intraStageCommunicationSeconds: 0.01, crossStageSeconds: 0.004, bubbleSeconds: sim.bubbleSeconds, gradientSyncSeconds: 0.05 },
    timeline: sim.events, searchSeconds: 1.5, trace: [{ label: 'best', stepSeconds: sim.stepSeconds, feasible: true }],
    explanation: { summary: 'two stages', dominantTerms: [{ term: 'compute', seconds: 0.12, fraction: 0.7 }] },
    ...over,
  };
}

const TWO_STAGES = planOf([stage(0, [0, 16], [2, 2]), stage(1, [16, 32], [2, 2])]);

describe('planToJson', () => {
  it('is versioned, key-sorted and the same for plans built in a different key order', () => {
    const text = planToJson(TWO_STAGES);
    const reordered = Object.fromEntries(Object.entries(TWO_STAGES).reverse()) as unknown as Plan;
    expect(planToJson(reordered)).toBe(text);
    const data = JSON.parse(text);
    expect(Object.keys(data)).toEqual(['format', 'plan', 'version']);
    expect(data.format).toBe(PLAN_JSON_FORMAT);
    expect(data.version).toBe(1);
    expect(Object.keys(data.plan).slice(0, 4)).toEqual(['breakdown', 'cluster', 'explanation', 'feasible']);
    expect(data.plan.stages[1].layers).toEqual([16, 32]);
  });

  it('round-trips through parsePlanJson', () => {
    const back = parsePlanJson(planToJson(TWO_STAGES, 0));
    expect(back.ok).toBe(true);
    if (back.ok) {
      expect(back.plan.stepSeconds).toBe(TWO_STAGES.stepSeconds);
      expect(back.plan.timeline).toHaveLength(TWO_STAGES.timeline.length);
    }
  });

  it('says why a file is not a plan', () => {
    expect(parsePlanJson('{"format":"other"}')).toEqual({ ok: false, reason: 'not a plan file: format is "other", expected "meshplan.plan"' });
    expect(parsePlanJson(`{"format":"${PLAN_JSON_FORMAT}","version":7,"plan":{}}`)).toMatchObject({ ok: false, reason: expect.stringMatching(/version 7 is newer/) });
    expect(parsePlanJson(`{"format":"${PLAN_JSON_FORMAT}","version":1,"plan":{"kind":"manual"}}`)).toMatchObject({ ok: false, reason: expect.stringMatching(/missing stages, stepSeconds/) });
    expect(parsePlanJson('{oops')).toMatchObject({ ok: false, reason: expect.stringMatching(/^not JSON/) });
  });

  it('refuses non-finite numbers instead of writing null', () => {
    expect(() => planToJson({ ...TWO_STAGES, stepSeconds: Number.POSITIVE_INFINITY })).toThrow(/non-finite/);
  });
});

describe('chromeTrace', () => {
  const trace = chromeTrace(TWO_STAGES);
  const complete = trace.traceEvents.filter((e) => e.ph === 'X');

  it('names one process per stage with its sub-mesh and one thread per lane', () => {
    const names = trace.traceEvents.filter((e) => e.name === 'process_name');
    expect(names.map((e) => [e.pid, e.args?.name])).toEqual([
      [1, 'stage 0: layers 0-15, 1x4 V100-16GB (GPUs 0-3), mesh 2x2'],
      [2, 'stage 1: layers 16-31, 1x4 V100-16GB (GPUs 4-7), mesh 2x2'],
    ]);
    expect(trace.traceEvents.filter((e) => e.name === 'thread_name')).toHaveLength(8);
  });

  it('writes every timeline event as a complete event in microseconds', () => {
    expect(complete).toHaveLength(TWO_STAGES.timeline.length);
    // 2 stages x 4 micro-batches x (F, B) + 4 sends each way + 2 gradient syncs
    expect(complete).toHaveLength(16 + 8 + 2);
    const f0 = complete.find((e) => e.name === 'F0' && e.pid === stagePid(0));
    expect(f0).toMatchObject({ ts: 0, dur: 10000, tid: TRACE_THREADS.compute, cat: 'forward', args: { stage: 0, microbatch: 0 } });
    const act = complete.find((e) => e.name === 'act 0 → stage 1');
    expect(act).toMatchObject({ ts: 10000, dur: 2000, tid: TRACE_THREADS.sendNext, pid: 1 });
    const grad = complete.find((e) => e.name === 'grad 0 → stage 0');
    expect(grad).toMatchObject({ pid: 2, tid: TRACE_THREADS.sendPrevious, dur: 2000 });
    const last = Math.max(...complete.map((e) => (e.ts ?? 0) + (e.dur ?? 0)));
    expect(last).toBeCloseTo(TWO_STAGES.stepSeconds * 1e6, 3);
    expect(trace.otherData.stepSeconds).toBe(TWO_STAGES.stepSeconds);
  });

  it('is valid JSON that survives a round trip', () => {
    expect(JSON.parse(JSON.stringify(trace)).traceEvents).toHaveLength(trace.traceEvents.length);
  });
});

describe('megatronArgs', () => {
  it('gives tp, pp and batch sizes for a Megatron-shaped plan', () => {
    const r = megatronArgs(TWO_STAGES);
    expect(r).toMatchObject({ ok: true, tensorParallel: 2, pipelineParallel: 2, dataParallel: 2, worldSize: 8, microBatchSize: 4 });
    if (r.ok) {
      expect(r.commandLine).toBe('--tensor-model-parallel-size 2 --pipeline-model-parallel-size 2 --micro-batch-size 4 --global-batch-size 32');
    }
  });

  it('adds full recompute when every stage rematerialises', () => {
    const r = megatronArgs(planOf([stage(0, [0, 16], [4, 1], true), stage(1, [16, 32], [4, 1], true)], { kind: 'megatron' }));
    expect(r.ok && r.args).toEqual([
      '--tensor-model-parallel-size', '1', '--pipeline-model-parallel-size', '2', '--micro-batch-size', '2',
      '--global-batch-size', '32', '--recompute-granularity', 'full', '--recompute-method', 'uniform', '--recompute-num-layers', '1',
    ]);
    expect(r.ok && r.notes).toEqual(["no virtual pipeline stages: the plan's schedule is plain 1F1B (--num-layers-per-virtual-pipeline-stage unset)"]);
  });

  it('names the stages\' ZeRO level and expert-parallel degree (distributed optimizer, Megatron-FSDP, EP size)', () => {
    const at = (zero: 0 | 1 | 2 | 3, expertParallel?: number) => (s: Stage): Stage => ({ ...s, zero, ...(expertParallel ? { expertParallel } : {}) });
    const two = (z0: 0 | 1 | 2 | 3, z1: 0 | 1 | 2 | 3, ep0?: number, ep1?: number) =>
      megatronArgs(planOf([at(z0, ep0)(stage(0, [0, 16], [4, 1])), at(z1, ep1)(stage(1, [16, 32], [4, 1]))], { kind: 'megatron' }));
    const one = two(1, 1, 4, 4);
    expect(one.ok && one.args.slice(8)).toEqual(['--use-distributed-optimizer', '--expert-model-parallel-size', '4']);
    const mixed = two(1, 3);
    expect(mixed.ok && mixed.args.slice(8)).toEqual(['--use-megatron-fsdp', '--data-parallel-sharding-strategy', 'optim_grads_params',
      '--no-gradient-accumulation-fusion', '--use-distributed-optimizer']);
    expect(mixed.ok && mixed.notes[0]).toBe('stages use ZeRO levels 1, 3; Megatron takes one, the highest (3)');
    expect(two(0, 0).ok && two(0, 0)).toMatchObject({ args: expect.not.arrayContaining(['--use-distributed-optimizer']) });
    expect(two(1, 1, 4, 2)).toEqual({ ok: false, reason: 'stage 1 spreads its experts over 2 devices, stage 0 over 4: Megatron uses one --expert-model-parallel-size for all stages' });
  });

  it('says why a plan is not Megatron-shaped', () => {
    expect(megatronArgs(planOf([stage(0, [0, 8], [2, 2]), stage(1, [8, 32], [2, 2])]))).toEqual({
      ok: false, reason: 'stage 1 has 24 layers, stage 0 has 8: Megatron splits layers evenly over stages',
    });
    expect(megatronArgs(planOf([stage(0, [0, 16], [2, 2]), stage(1, [16, 32], [4, 1])]))).toMatchObject({ ok: false, reason: expect.stringMatching(/stage 1 runs on a 4x1 mesh/) });
    expect(megatronArgs(planOf(TWO_STAGES.stages.slice(), { schedule: 'gpipe' }))).toMatchObject({ ok: false, reason: expect.stringMatching(/'gpipe'/) });
    expect(megatronArgs(TWO_STAGES, undefined, 'fp16-adafactor')).toEqual({
      ok: false, reason: "Megatron-LM's optimizers are Adam and SGD; this plan's state is Adafactor's (fp16-adafactor)" });
  });
});

describe('jaxPartitionSpecs', () => {
  it('maps Alpa specs to PartitionSpecs', () => {
    expect(partitionSpecOf('S0R')).toBe("P('x', None)");
    expect(partitionSpecOf('RS1')).toBe("P(None, 'y')");
    expect(partitionSpecOf('S01R')).toBe("P(('x', 'y'), None)");
    expect(partitionSpecOf('S1S0R')).toBe("P('y', 'x', None)");
    expect(partitionSpecOf('')).toBe('P()');
    expect(parseAlpaSpec('S01S1')).toEqual(['S01', 'S1']);
    expect(() => parseAlpaSpec('S0X')).toThrow("sharding spec 'S0X': unexpected 'X' at character 2");
  });

  it('lists every tensor of every stage with the stage mesh', () => {
    const specs = jaxPartitionSpecs(TWO_STAGES);
    expect(specs).toHaveLength(2);
    expect(specs[1].mesh).toBe("Mesh(np.array([jax.devices()[d] for d in [4, 5, 6, 7]]).reshape(2, 2), ('x', 'y'))");
    expect(specs[0].specs.map((s) => s.partitionSpec)).toEqual(["P(None, 'y')", "P('x', None, None)", "P(('x', 'y'), None)", 'P()']);
    const py = jaxPartitionSpecsPython(TWO_STAGES);
    expect(py).toContain('from jax.sharding import Mesh, PartitionSpec as P');
    expect(py).toContain(`    "h.0/attn/qkv/w": P(None, 'y'),`);
    expect(py).toContain('stage1_mesh = Mesh(');
  });
});

describe('exports of a real baseline plan (plan() with the Megatron template)', () => {
  it('gives back the grid point the Megatron baseline was asked for, and a trace of its whole timeline', async () => {
    const [{ zooModel }, { parseClusterSpec }, { plan, defaultPlanOptions }] = await Promise.all([
      import('../zoo/index.ts'), import('../cluster/spec.ts'), import('../plan.ts'),
    ]);
    const graph = zooModel('gpt-tiny', { batch: 16 });
    const r = await plan(graph, parseClusterSpec('p3.16xlarge:1x8'), { ...defaultPlanOptions(graph), baseline: 'megatron', dp: 2, tp: 2, pp: 2 },
      undefined, undefined, { intra: 'manual' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const args = megatronArgs(r.plan);
    expect(args).toMatchObject({ ok: true, tensorParallel: 2, pipelineParallel: 2, dataParallel: 2, worldSize: 8 });
    if (args.ok) expect(args.microBatchSize * r.plan.microbatches * 2).toBe(16);
    const trace = chromeTrace(r.plan);
    expect(trace.traceEvents.filter((e) => e.ph === 'X')).toHaveLength(r.plan.timeline.length);
    const end = Math.max(...trace.traceEvents.filter((e) => e.ph === 'X').map((e) => (e.ts ?? 0) + (e.dur ?? 0)));
    expect(end / 1e6).toBeCloseTo(r.plan.stepSeconds, 6);
  });
});
