/**
 * The planner's test oracle: one whole training step of a forward graph under a forced plan (single device, data
 * parallel, Megatron tensor parallel, ZeRO-3), written as one sum over the graph instead of the planner's units,
 * profiles, stages and schedule. GEMMs by the shape-aware model, memory-bound work by what XLA fuses (fusion.ts),
 * rematerialisation's second forward, the optimizer update (optimizer.ts), and the plan's collectives, with the
 * runtime terms the planner reads (runtimeTerms.ts). Only tests and bench/fidelity import it (structure.test.ts);
 * bench/fidelity/fidelity.test.ts holds the planner to it on every measured row (calibration/h100-e2e-steps.json).
 */
import type { GpuSpec, Link } from '../cluster/types.ts';
import type { ModelGraph, Op, Tensor } from '../ir/types.ts';
import { layerOf } from '../ir/layers.ts';
import type { Precision } from './precision.ts';
import { collectiveSeconds } from './collectives.ts';
import { elementWidth, fusionTraffic, GEMM_KINDS } from './fusion.ts';
import { type ActivationBytes, activationBytes, precisionBytes } from './memory.ts';
import { opSeconds, tensorLookup } from './opCost.ts';
import { optimizerSeconds } from './optimizer.ts';
import {
  ASYNC_STEPS_IN_FLIGHT, XLA_ARENA_FRACTION, COPY_ENGINE_COLLECTIVE_SLOWDOWN, GRADIENT_REDUCTION_BYTES_PER_ELEMENT, GRADIENT_SYNC_NO_REMAT_FACTOR, logitsBytes,
  SCAN_RESIDUAL_COPY_PASSES, SCAN_RESIDUAL_PASSES, ZERO3_ALL_TO_ALLS_PER_LAYER, ZERO3_RESHARD_BYTES_PER_ELEMENT,
} from './runtimeTerms.ts';
import { type ForcedPlanKind, planSplits, splitOf } from './sharding.ts';

/** Layer loops (forward, backward) whose residual copies run on the compute stream under XLA, by plan. */
function exposedCopyLoops(plan: ForcedPlanKind | 'single'): number {
  return plan === 'single' ? 2 : plan === 'dp' ? 1 : 0;
}

export interface StepModelInput {
  readonly graph: ModelGraph;
  readonly gpu: GpuSpec;
  /** Link the plan's collectives run over (the devices' NVLink inside one node). */
  readonly link: Link;
  readonly plan: ForcedPlanKind;
  readonly devices: number;
  readonly remat: boolean;
  readonly precision: Precision;
  /** Per-device memory available to the program; default the GPU's HBM. */
  readonly memoryLimitBytes?: number;
  /** The model computes layer norm and softmax in fp32 (the rows' GPT does). */
  readonly normsInFp32?: boolean;
}

export interface StepBreakdown {
  readonly matmulSeconds: number;
  readonly memoryBoundSeconds: number;
  /** Second forward of the rematerialised layers (GEMMs and memory-bound), included in the two above. */
  readonly rematSeconds: number;
  /** Scan residual traffic without remat (SCAN_RESIDUAL_PASSES, copies in loops without collectives, the
   * copy-engine slowdown of in-loop collectives), included in memoryBoundSeconds. */
  readonly residualCopySeconds: number;
  readonly optimizerSeconds: number;
  readonly communicationSeconds: number;
}

export interface StepMemory {
  readonly paramBytes: number;
  readonly gradBytes: number;
  readonly optimizerBytes: number;
  readonly activationBytes: number;
  readonly temporaryBytes: number;
  /** Parameters + optimizer state + gradients + activations + temporaries of one step. */
  readonly totalBytes: number;
  /** What must fit in HBM: state, plus the temporaries (gradients, activations, transients) of two steps, since
   * JAX dispatches step k+1 (allocating its temporaries) while step k still runs. */
  readonly requiredBytes: number;
}

export interface StepPrediction {
  readonly stepSeconds: number;
  readonly breakdown: StepBreakdown;
  readonly memory: StepMemory;
  readonly feasible: boolean;
}

interface Compute {
  readonly matmulSeconds: number;
  readonly memoryBoundSeconds: number;
  readonly rematSeconds: number;
}

function computeSeconds(input: StepModelInput, splits: ReturnType<typeof planSplits>): Compute {
  const { graph, gpu, precision, remat } = input;
  const tensors = tensorLookup(graph);
  const fused = fusionTraffic(graph, precision);
  let matmul = 0;
  let memory = 0;
  let rematS = 0;
  for (const op of graph.ops) {
    const isGemm = GEMM_KINDS.has(op.kind);
    const traffic = fused.get(op.id);
    if (!isGemm && !traffic) continue;
    const split = splitOf(splits, op);
    const c = opSeconds(op, tensors, gpu, precision, split.factor, { split: split.dim, fused: traffic });
    const recompute = remat && layerOf(op.path) !== undefined ? c.forwardSeconds : 0;
    const total = c.forwardSeconds + c.backwardSeconds + recompute;
    if (isGemm) matmul += total;
    else memory += total;
    rematS += recompute;
  }
  return { matmulSeconds: matmul, memoryBoundSeconds: memory, rematSeconds: rematS };
}

interface ParamCounts {
  /** Parameter elements each device holds (split ones divided by n). */
  readonly perDevice: number;
  readonly replicated: number;
  readonly total: number;
  /** Per layer (and '' outside the blocks): elements, for per-layer ZeRO-3 gathers. */
  readonly byLayer: ReadonlyMap<string, number>;
}

function paramCounts(graph: ModelGraph, splits: ReturnType<typeof planSplits>, n: number): ParamCounts {
  const layerOfParam = new Map<string, string>();
  for (const op of graph.ops) for (const i of op.inputs) if (!layerOfParam.has(i)) layerOfParam.set(i, layerOf(op.path)?.prefix ?? '');
  let perDevice = 0;
  let replicated = 0;
  let total = 0;
  const byLayer = new Map<string, number>();
  for (const t of graph.tensors) {
    if (t.kind !== 'parameter') continue;
    const e = t.shape.reduce((s, d) => s * d, 1);
    total += e;
    const split = splits.splitParams.has(t.id);
    perDevice += split ? e / n : e;
    if (!split) replicated += e;
    const layer = layerOfParam.get(t.id) ?? '';
    byLayer.set(layer, (byLayer.get(layer) ?? 0) + e);
  }
  return { perDevice, replicated, total, byLayer };
}

interface Communication {
  readonly seconds: number;
  /** Activation / weight collectives inside the layer loop (not gradient reductions). */
  readonly inLoopSeconds: number;
}

function communicationSeconds(input: StepModelInput, splits: ReturnType<typeof planSplits>, params: ParamCounts): Communication {
  const { graph, link, devices: n, plan, precision, remat } = input;
  if (n <= 1) return { seconds: 0, inLoopSeconds: 0 };
  const pb = precisionBytes(precision);
  const width = elementWidth(graph, precision);
  const actBytes = width({ dtype: graph.tensors.find((t) => t.kind === 'parameter')?.dtype ?? 'f16' });
  const syncFactor = remat ? 1 : GRADIENT_SYNC_NO_REMAT_FACTOR;
  if (plan === 'dp') return { seconds: syncFactor * collectiveSeconds('all-reduce', params.total * GRADIENT_REDUCTION_BYTES_PER_ELEMENT, n, link), inLoopSeconds: 0 };
  if (plan === 'zero3') {
    let s = 0;
    let gathers = 0;
    for (const [layer, elements] of params.byLayer) {
      // forward gather, backward gather (the recompute reuses it), gradient reduce-scatter
      const g = 2 * collectiveSeconds('all-gather', elements * pb.paramBytes, n, link);
      s += g + collectiveSeconds('reduce-scatter', elements * GRADIENT_REDUCTION_BYTES_PER_ELEMENT, n, link);
      if (layer !== '') gathers += g;
    }
    const reshard = zero3ReshardSeconds(input);
    const logits = collectiveSeconds('all-to-all', logitsBytes(graph), n, link);
    return { seconds: s + reshard + logits, inLoopSeconds: gathers + reshard };
  }
  let s = syncFactor * collectiveSeconds('all-reduce', params.replicated * GRADIENT_REDUCTION_BYTES_PER_ELEMENT, n, link);
  let inLoop = 0;
  for (const op of graph.ops) {
    const split = splitOf(splits, op);
    const inBlock = layerOf(op.path) !== undefined;
    const recompute = remat && inBlock;
    const fwd = collectiveSeconds('all-reduce', split.forwardAllReduceElements * actBytes, n, link);
    const c = fwd * (recompute ? 2 : 1) + collectiveSeconds('all-reduce', split.backwardAllReduceElements * actBytes, n, link);
    s += c;
    if (inBlock) inLoop += c;
  }
  return { seconds: s, inLoopSeconds: inLoop };
}

/**
 * ZeRO-3's activation resharding over the repeated layers, priced as the planner prices it
 * (inter/manualProfile.ts): per layer one collective of ZERO3_ALL_TO_ALLS_PER_LAYER.noRemat all-to-alls in the
 * forward (run again by the recomputation), and the rest of the remat count as one more in the backward.
 */
export function zero3ReshardSeconds(input: StepModelInput): number {
  const { graph, devices: n, link } = input;
  const layers = new Set(graph.ops.map((o) => layerOf(o.path)?.prefix).filter((p) => p !== undefined)).size;
  const elementsPerLayer = (graph.batch * (graph.seq ?? 1) * (graph.config?.hidden ?? 0)) / n;
  const reshard = (allToAlls: number) => collectiveSeconds('send-recv', allToAlls * ZERO3_RESHARD_BYTES_PER_ELEMENT * elementsPerLayer, n, link);
  const { remat: r, noRemat: f } = ZERO3_ALL_TO_ALLS_PER_LAYER;
  return layers * (input.remat ? 2 * reshard(f) + reshard(r - 2 * f) : reshard(f));
}

function residualsOf(input: StepModelInput, splits: ReturnType<typeof planSplits>): ActivationBytes {
  const divisor = (op: Op, t: Tensor): number => {
    const s = splitOf(splits, op);
    // a column-split GEMM keeps its whole input; everything else saves its share
    return s.dim === 'n' && op.inputs[0] === t.id ? 1 : s.factor;
  };
  return activationBytes(input.graph, {
    precision: input.precision, remat: input.remat, divisor, residuals: 'autodiff', normsInFp32: input.normsInFp32,
  });
}

function memoryOf(input: StepModelInput, params: ParamCounts, acts: ActivationBytes): StepMemory {
  const { precision, devices: n, plan } = input;
  const b = precisionBytes(precision);
  const stateParams = plan === 'zero3' ? params.total / n : params.perDevice;
  const paramBytes = stateParams * b.paramBytes;
  const gradBytes = stateParams * b.gradBytes;
  const optimizerBytes = stateParams * (b.optimizerBytes + b.masterBytes);
  let largestLayerParams = 0;
  for (const [layer, e] of params.byLayer) if (layer !== '') largestLayerParams = Math.max(largestLayerParams, e);
  const gathered = plan === 'zero3' ? 2 * largestLayerParams * b.paramBytes : 0;
  // XLA, ZeRO-3: the logits all-to-all's receive buffer (a per-device logits tensor) is live beside the logits
  const logitsBuffer = plan === 'zero3' ? logitsBytes(input.graph) / n : 0;
  const temporaryBytes = Math.max(acts.transientBytes, acts.largestSavedBytes) + gathered + logitsBuffer;
  const stepTemporaries = gradBytes + acts.savedBytes + temporaryBytes;
  const totalBytes = paramBytes + optimizerBytes + stepTemporaries;
  const requiredBytes = paramBytes + optimizerBytes + ASYNC_STEPS_IN_FLIGHT * stepTemporaries;
  return { paramBytes, gradBytes, optimizerBytes, activationBytes: acts.savedBytes, temporaryBytes, totalBytes, requiredBytes };
}

export function predictStep(input: StepModelInput): StepPrediction {
  const n = input.plan === 'single' ? 1 : input.devices;
  const sized = { ...input, devices: n };
  const splits = planSplits(input.graph, input.plan, n);
  const params = paramCounts(input.graph, splits, n);
  const acts = residualsOf(sized, splits);
  const c = computeSeconds(sized, splits);
  const gpu = input.gpu;
  const commAll = communicationSeconds(sized, splits, params);
  const passes = SCAN_RESIDUAL_PASSES + SCAN_RESIDUAL_COPY_PASSES * exposedCopyLoops(n <= 1 ? 'single' : input.plan);
  const residualCopySeconds = input.remat ? 0
    : (passes * acts.blockResidualBytes) / (gpu.hbmBandwidthBytesPerSecond * gpu.memoryEfficiency)
      + COPY_ENGINE_COLLECTIVE_SLOWDOWN * commAll.inLoopSeconds;
  const paramTensors = input.graph.tensors.filter((t) => t.kind === 'parameter').length;
  const optimizer = optimizerSeconds(gpu, input.precision, input.plan === 'zero3' ? params.total / n : params.perDevice, paramTensors);
  const comm = commAll.seconds;
  const memory = memoryOf(sized, params, acts);
  const limit = input.memoryLimitBytes ?? XLA_ARENA_FRACTION * gpu.hbmBytes;
  return {
    stepSeconds: c.matmulSeconds + c.memoryBoundSeconds + residualCopySeconds + optimizer + comm,
    breakdown: { ...c, memoryBoundSeconds: c.memoryBoundSeconds + residualCopySeconds, residualCopySeconds, optimizerSeconds: optimizer, communicationSeconds: comm },
    memory,
    feasible: memory.requiredBytes <= limit,
  };
}
