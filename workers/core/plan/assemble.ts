/**
 * From a chosen slicing (searched or baseline) to a Plan: place the sub-meshes, price the transfers between the
 * placed sub-meshes, simulate the schedule (the plan's step time is the simulated one), account memory with each
 * stage's simulated peak of in-flight micro-batches, and count TFLOP/s the paper's way.
 */
import type { Cluster } from '../cluster/types.ts';
import { submeshDevices } from '../cluster/topology.ts';
import type { ModelGraph } from '../ir/types.ts';
import type { LayerClustering } from '../inter/layerConstruction.ts';
import { placeSubmeshes, sameNode } from '../inter/placement.ts';
import { sameLeaf } from '../cluster/fabric.ts';
import { boundaryBytesOf, type Candidate } from '../inter/search.ts';
import type { MeshSpace } from '../inter/meshSpace.ts';
import { seqStageFields } from '../inter/seqParallel.ts';
import { memoryTotal, requiredBytes, sendSeconds, stageMemory, type StageCore } from '../inter/stageOptions.ts';
import { simulateSchedule, type ScheduleResult, type ScheduleStageInput } from '../schedule/pipelineSchedule.ts';
import { graphForwardFlops, modelStepFlops, paperStepFlops } from './flops.ts';
import { attentionCoresOf, attentionFlops } from '../ir/attention.ts';
import { attentionCoreOpsOf } from '../inter/stageCosts.ts';
import type { MemoryBreakdown, Plan, PlanKind, ScheduleKind, ShardingPlan, Stage } from './types.ts';

export interface AssembleInput {
  readonly kind: PlanKind;
  readonly label: string;
  readonly graph: ModelGraph;
  readonly cluster: Cluster;
  readonly space: MeshSpace;
  readonly clustering: LayerClustering;
  readonly mode: 'train' | 'infer';
  readonly globalBatch: number;
  readonly schedule: ScheduleKind;
  readonly candidate: Candidate;
  readonly memoryLimitBytes: readonly number[];
  readonly searchSeconds: number;
  /** Inference for throughput: samples/s and TFLOP/s of the steady stream of micro-batches (the slowest stage or
   * link sets the period), not of one isolated batch. */
  readonly steadyState?: boolean;
  /** The attention cores run fused (inter/runtime.ts usesFusedAttention): the hardware FLOPs count what the kernels
   * execute (causal half, the backward's recomputed Q K^T) and selective recompute recomputes nothing. */
  readonly fusedAttention?: boolean;
  /** The per-operator sharding of a stage, when its pricing has one. */
  readonly shardingOf?: (core: StageCore, microbatch: number, memory: MemoryBreakdown) => ShardingPlan | undefined;
}

const GiB = 2 ** 30;

/** Forward FLOPs a stage recomputes per graph batch: its layers' (full), their attention cores' (selective; none
 * when the cores run fused, which keep nothing to recompute). */
function recomputedFlops(graph: ModelGraph, clustering: LayerClustering, core: StageCore, fused: boolean): number {
  const layers = clustering.layers.slice(core.start, core.end);
  if (core.recompute === 'full') return layers.reduce((b, l) => b + l.forwardFlops, 0);
  if (core.recompute === 'none' || fused) return 0;
  const units = clustering.unitGraph.units.slice(layers[0].unitStart, layers[layers.length - 1].unitEnd);
  return attentionFlops(graph, attentionCoreOpsOf(graph), units.flatMap((u) => u.forwardOps));
}

/**
 * What fused attention changes in a step's executed FLOPs per graph batch, against the paper's count (every score
 * computed; backward 2x the forward): a causal core's dots run half (forward D/2, backward 2.5 D/2: 1.75 D instead
 * of 3 D), a full one recomputes Q K^T in its backward (3.5 D). Model TFLOP/s keep the paper's count.
 */
function fusedAttentionFlopsDelta(graph: ModelGraph, training: boolean): number {
  const cores = attentionCoresOf(graph);
  let delta = 0;
  for (const i of cores.ops) {
    const op = graph.ops[i];
    if (op.kind !== 'dot') continue;
    if (cores.causal.has(i)) delta += (training ? 1.75 - 3 : -0.5) * op.flops;
    else if (training) delta += 0.5 * op.flops;
  }
  return delta;
}

/** Chunks per device tried by interleaved 1F1B: powers of two up to this. */
const MAX_VIRTUAL_STAGES = 8;

/**
 * Interleaved 1F1B: the number of chunks per device (virtual stages) with the fastest simulated step among those
 * whose simulated activation memory fits every stage (1 always qualifies as the DP's 1F1B); v needs v units
 * (blocks) in every stage, and micro-batches a multiple of the stages.
 */
function chooseVirtualStages(c: Candidate, clustering: LayerClustering, stages: readonly ScheduleStageInput[], limits: readonly number[]): { sim: ScheduleResult; virtualStages: number } {
  const run = (v: number) => simulateSchedule({ schedule: 'interleaved', microbatches: c.microbatches, stages, virtualStages: v });
  let best = { sim: run(1), virtualStages: 1 };
  const S = c.stages.length;
  // Chunks split a stage at unit boundaries (blocks): each needs one.
  const fewest = Math.min(...c.stages.map((s) => clustering.layers[s.core.end - 1].unitEnd - clustering.layers[s.core.start].unitStart));
  for (let v = 2; v <= Math.min(MAX_VIRTUAL_STAGES, fewest) && S > 1 && c.microbatches % S === 0; v *= 2) {
    const sim = run(v);
    const fits = c.stages.every((s, i) => requiredBytes(s.core, stageMemory(s.core, sim.peakInFlight[i])) <= limits[s.submesh.group]);
    if (fits && sim.stepSeconds < best.sim.stepSeconds) best = { sim, virtualStages: v };
  }
  return best;
}

export function assemblePlan(x: AssembleInput): Plan {
  const { candidate: c, clustering } = x;
  const training = x.mode === 'train';
  // The DP's schedule (and chunks per device) when it priced one (inter/schedulePricing.ts), else the options'.
  const schedule: ScheduleKind = training ? c.schedule ?? x.schedule : 'inference';
  const placed = placeSubmeshes(x.space, c.stages.map((s) => s.submesh), x.cluster.fabric);
  const boundary = boundaryBytesOf(clustering);
  const r = c.microbatch / x.graph.batch;
  const sendBytes = c.stages.map((s, i) => (i + 1 < c.stages.length ? boundary[s.core.end] * r : 0));
  const crosses = c.stages.map((_, i) => i + 1 < c.stages.length && !sameNode(placed[i], placed[i + 1]));
  const sends = c.stages.map((s, i) => (i + 1 < c.stages.length
    ? sendSeconds(x.cluster, s.submesh, sendBytes[i], crosses[i], !sameLeaf(x.cluster, placed[i], placed[i + 1])) : 0));
  const scheduleStages = c.stages.map((s, i) => ({
    forwardSeconds: s.core.forwardSeconds,
    backwardSeconds: training ? s.core.backwardSeconds : 0,
    // The zero-bubble schedules' W passes: the stage's parameter gradients, when its profile says.
    ...(training && Number.isFinite(s.core.weightGradientSeconds) ? { weightGradientSeconds: Math.min(s.core.weightGradientSeconds, s.core.backwardSeconds) } : {}),
    sendSeconds: sends[i],
    gradientSyncSeconds: training ? s.core.gradientSyncSeconds : 0,
  }));
  const { sim, virtualStages } = schedule === 'interleaved' && c.virtualStages === undefined
    ? chooseVirtualStages(c, clustering, scheduleStages, x.memoryLimitBytes)
    : { sim: simulateSchedule({ schedule, microbatches: c.microbatches, stages: scheduleStages, virtualStages: c.virtualStages ?? 1 }), virtualStages: c.virtualStages ?? 1 };
  const problems: string[] = [];
  const stages: Stage[] = c.stages.map((s, i) => {
    const mesh = x.space.meshes[s.core.meshId];
    const memory = stageMemory(s.core, sim.peakInFlight[i] ?? 1);
    const total = memoryTotal(memory);
    const required = requiredBytes(s.core, memory);
    const sharding = x.shardingOf?.(s.core, c.microbatch, memory);
    const limit = x.memoryLimitBytes[s.submesh.group];
    if (required > limit) {
      const steps = required > total ? ` (${s.core.stepsInFlight} steps' temporaries in flight)` : '';
      problems.push(`stage ${i} (layers ${s.core.start}..${s.core.end - 1}) needs ${(required / GiB).toFixed(2)} GiB per device${steps}, ${((required - limit) / GiB).toFixed(2)} GiB over the ${(limit / GiB).toFixed(2)} GiB limit`);
    }
    return {
      index: i,
      layers: [s.core.start, s.core.end] as const,
      layerNames: clustering.layers.slice(s.core.start, s.core.end).map((l) => l.name),
      submesh: placed[i],
      submeshShape: s.submesh.shape,
      logicalMesh: mesh.logical,
      devices: submeshDevices(x.cluster, placed[i]),
      gpu: s.submesh.gpu,
      forwardSeconds: s.core.forwardSeconds,
      backwardSeconds: training ? s.core.backwardSeconds : 0,
      gradientSyncSeconds: training ? s.core.gradientSyncSeconds : 0,
      sendSeconds: sends[i],
      sendBytes: sendBytes[i],
      sendCrossesNodes: crosses[i],
      remat: training && s.core.remat,
      recompute: training ? s.core.recompute : 'none',
      ...(training && s.core.zero !== undefined ? { zero: s.core.zero } : {}),
      ...(s.core.expertParallel !== undefined ? { expertParallel: s.core.expertParallel } : {}),
      memory,
      memoryBytesPerDevice: total,
      ...(required > total ? { requiredBytesPerDevice: required } : {}),
      memoryLimitBytes: limit,
      ...(sharding ? { sharding } : {}),
      ...seqStageFields(mesh.variant),
    };
  });
  const gpus = x.space.groups.reduce((a, g) => a + g.devices, 0);
  const fwdTotal = graphForwardFlops(x.graph);
  const rematFwd = training ? c.stages.reduce((a, s) => a + recomputedFlops(x.graph, clustering, s.core, x.fusedAttention === true), 0) : 0;
  const period = Math.max(...c.stages.map((s, i) => Math.max(s.core.forwardSeconds, sends[i])));
  const step = sim.stepSeconds;
  const rateSeconds = x.steadyState && !training ? c.microbatches * period : step;
  const hardwareFlops = paperStepFlops(x.graph, x.globalBatch, training, fwdTotal > 0 ? rematFwd / fwdTotal : 0)
    + (x.fusedAttention ? fusedAttentionFlopsDelta(x.graph, training) * (x.globalBatch / x.graph.batch) : 0);
  const modelFlops = modelStepFlops(x.graph, x.globalBatch, training);
  const S = c.stages.length;
  const mean = (f: (i: number) => number): number => c.stages.reduce((a, _, i) => a + f(i), 0) / S;
  return {
    kind: x.kind,
    label: x.label,
    model: x.graph.name,
    cluster: x.cluster.name,
    mode: x.mode,
    globalBatch: x.globalBatch,
    microbatches: c.microbatches,
    schedule,
    ...(schedule === 'interleaved' ? { virtualStages } : {}),
    stages,
    feasible: problems.length === 0,
    ...(problems.length ? { infeasibleReason: problems.join('; ') } : {}),
    stepSeconds: step,
    tflopsPerGpu: hardwareFlops / rateSeconds / gpus / 1e12,
    modelTflopsPerGpu: modelFlops / rateSeconds / gpus / 1e12,
    samplesPerSecond: x.globalBatch / rateSeconds,
    breakdown: {
      computeSeconds: mean((i) => c.microbatches * c.stages[i].core.computeSeconds),
      intraStageCommunicationSeconds: mean((i) => c.microbatches * c.stages[i].core.communicationSeconds),
      crossStageSeconds: mean((i) => c.microbatches * sends[i] * (training ? 2 : 1)),
      bubbleSeconds: sim.bubbleSeconds,
      gradientSyncSeconds: training ? mean((i) => c.stages[i].core.gradientSyncSeconds) : 0,
    },
    timeline: sim.events,
    searchSeconds: x.searchSeconds,
    trace: [],
    explanation: { summary: '', dominantTerms: [] },
  };
}
