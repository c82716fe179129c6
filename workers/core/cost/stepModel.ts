/**
 * One whole training step of a forward graph under a forced plan (single device, data parallel, Megatron tensor
 * parallel, ZeRO-3), predicted from first principles for the fidelity check against measured steps
 * (calibration/h100-e2e-steps.json): GEMMs by the shape-aware model, memory-bound work by what XLA fuses
 * (fusion.ts), rematerialisation's second forward, the optimizer update, and the plan's collectives.
 * Every constant is a property of the GPU (presets.ts), of NCCL (the link) or of XLA (named below).
 */
import type { GpuSpec, Link } from '../cluster/types.ts';
import { DTYPE_BYTES, type ModelGraph, type Op, type Tensor } from '../ir/types.ts';
import { layerOf } from '../ir/layers.ts';
import type { Precision } from './precision.ts';
import { collectiveSeconds } from './collectives.ts';
import { elementWidth, fusionTraffic, GEMM_KINDS } from './fusion.ts';
import { type ActivationBytes, activationBytes, precisionBytes } from './memory.ts';
import { opSeconds, tensorLookup } from './opCost.ts';
import { type ForcedPlanKind, planSplits, splitOf } from './sharding.ts';

/**
 * XLA, layers under lax.scan without remat: the residuals of each layer are scan outputs. Profiled with JAX 0.11.2
 * (bench/fidelity/jax/steps.py, CUPTI trace per kernel and stream; bench/fidelity/README.md) the extra HBM traffic
 * has two parts:
 * - always, on the compute stream: the fused dynamic-update-slice writing each residual into the stacked
 *   [layers, ...] buffer, the residuals written out by the forward fusions and read back by the backward ones
 *   (with remat they stay inside recomputing fusions): SCAN_RESIDUAL_PASSES passes over the residual bytes
 *   (profiled 2.7-3.5 on one H100 for GPT-125M b16 and GPT-760M b4);
 * - a copy into / out of the stacked buffers in each of the two loops (forward, backward): SCAN_RESIDUAL_COPY_PASSES
 *   per loop (profiled 0.9-0.95). In a loop without collectives XLA runs it as copy kernels on the compute stream;
 *   in a loop whose body holds collectives (Megatron's activation all-reduces, ZeRO-3's gathers; the backward loop of
 *   data parallelism, which holds the gradient all-reduces) it becomes copy-engine transfers on side streams,
 *   concurrent with compute. Those transfers slow the activation / weight collectives running beside them by
 *   COPY_ENGINE_COLLECTIVE_SLOWDOWN (H200 pair: all-reduces 201 against 125 us a call, all-gathers 155 against 93).
 */
export const SCAN_RESIDUAL_PASSES = 4;
export const SCAN_RESIDUAL_COPY_PASSES = 1;
export const COPY_ENGINE_COLLECTIVE_SLOWDOWN = 0.6;

/** Layer loops (forward, backward) whose residual copies run on the compute stream under XLA, by plan. */
function exposedCopyLoops(plan: ForcedPlanKind | 'single'): number {
  return plan === 'single' ? 2 : plan === 'dp' ? 1 : 0;
}

/**
 * Gradient reduction priced as 4 bytes an element at the link's (PyTorch-measured) NCCL bandwidth. Evidence in the
 * rows: 760M single b8 and dp2 b16 with remat do the same per-device work and differ by 10.8 ms, a 3.04 GB
 * all-reduce at that bandwidth (9.9 ms), not a 1.52 GB one (5.0 ms). What it stands for, by runtime: Megatron-LM
 * reduces its fp32 main gradients (4 bytes); JAX/XLA reduces bf16 gradients (the H200 profile,
 * bench/fidelity/jax: ncclDevKernel_AllReduce_Sum_bf16, fp32 only for the tied embedding) but in ~21 MB chunks
 * on NCCL's LL protocol, at about half that bandwidth: the same time.
 */
export const GRADIENT_REDUCTION_BYTES = 4;

/**
 * XLA: data-parallel gradient all-reduces run inside the backward layer loop, asynchronously. With remat they hide
 * partly behind the next layer's recomputation and backward; without remat hardly at all (H200 pair profiles,
 * bench/fidelity/jax, GPT-760M b8 dp2, two leases: 59% and 58% of the NCCL time exposed with remat, 96% and 87%
 * without; 58% for b16 with remat). The 4-byte pricing above comes from remat rows, so without remat the
 * all-reduce costs (the two runs' means) 0.915 / 0.585 times as much. (ZeRO-3's gradient reduce-scatters do not:
 * 82% exposed with remat, 89% without.)
 */
export const GRADIENT_SYNC_NO_REMAT_FACTOR = 0.915 / 0.585;

/**
 * XLA SPMD partitioner, ZeRO-3 (every weight split on its largest dim): around GEMMs whose weight is split on the
 * contracting dim it reshards activations with all-to-alls instead of only gathering the weight. It emits one
 * such all-to-all per layer without remat and five with checkpointed layers (collectives_in_hlo of the rows).
 * Empirical: bytes per all-to-all, per token x hidden element per layer per device, priced as NCCL send/recv on
 * the link (zero3ReshardSeconds, the same in the planner); fitted through the planner (`meshplan plan --runtime
 * xla`, bench/fidelity) on gpt-125m fsdp2 remat (42 bytes for its five, with the logits all-to-all below priced
 * apart), checked on the other five ZeRO-3 rows. The HLO shows what they are: with remat three all-to-alls of the MLP's 4h activations
 * (bf16) and one more per layer in the backward loop; without, activation reduce-scatters and gathers instead.
 */
export const ZERO3_RESHARD_BYTES_PER_ELEMENT = 8.44;
export const ZERO3_ALL_TO_ALLS_PER_LAYER = { remat: 5, noRemat: 1 } as const;

/**
 * XLA SPMD, ZeRO-3: the tied embedding is split on its vocab dim (its largest), so the partitioner computes the
 * logits vocab-split and brings their (fp32) gradient back to batch-split with one all-to-all of the whole logits
 * tensor per step, outside the layer loops (HLO of the rows' plan: f32[2,4,1024,25600] all-to-all for GPT-760M b8;
 * 1.34 ms on the H200 pair, 2.6 ms for GPT-125M b16). The logits: outputs of dots whose last dim is the vocabulary.
 */
export function logitsBytes(graph: ModelGraph): number {
  const vocab = graph.config?.vocab;
  if (!vocab) return 0;
  const byId = new Map(graph.tensors.map((t) => [t.id, t]));
  return graph.ops.reduce((b, op) => b + opLogitsBytes(op, (id) => byId.get(id), vocab), 0);
}

/** Bytes of the logits `op` produces: outputs of a dot with a parameter operand whose last dim is the vocabulary. */
export function opLogitsBytes(op: Op, tensorOf: (id: string) => Tensor | undefined, vocab: number): number {
  if (op.kind !== 'dot' || !op.inputs.some((i) => tensorOf(i)?.kind === 'parameter')) return 0;
  let bytes = 0;
  for (const o of op.outputs) {
    const t = tensorOf(o);
    if (t && t.shape[t.shape.length - 1] === vocab) bytes += t.shape.reduce((a, d) => a * d, 1) * DTYPE_BYTES[t.dtype];
  }
  return bytes;
}

/** JAX runtime: asynchronous dispatch keeps two steps' temporaries allocated at once. */
export const ASYNC_STEPS_IN_FLIGHT = 2;

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
  if (plan === 'dp') return { seconds: syncFactor * collectiveSeconds('all-reduce', params.total * GRADIENT_REDUCTION_BYTES, n, link), inLoopSeconds: 0 };
  if (plan === 'zero3') {
    let s = 0;
    let gathers = 0;
    for (const [layer, elements] of params.byLayer) {
      // forward gather, backward gather (the recompute reuses it), gradient reduce-scatter
      const g = 2 * collectiveSeconds('all-gather', elements * pb.paramBytes, n, link);
      s += g + collectiveSeconds('reduce-scatter', elements * GRADIENT_REDUCTION_BYTES, n, link);
      if (layer !== '') gathers += g;
    }
    const reshard = zero3ReshardSeconds(input);
    const logits = collectiveSeconds('all-to-all', logitsBytes(graph), n, link);
    return { seconds: s + reshard + logits, inLoopSeconds: gathers + reshard };
  }
  let s = syncFactor * collectiveSeconds('all-reduce', params.replicated * GRADIENT_REDUCTION_BYTES, n, link);
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

/** Adam: read parameter, gradient, moments (and master), write parameter, moments (and master). */
export function optimizerSeconds(gpu: GpuSpec, precision: Precision, paramsPerDevice: number, tensorsPerDevice: number): number {
  const b = precisionBytes(precision);
  const bytes = paramsPerDevice * (2 * b.paramBytes + b.gradBytes + 2 * (b.optimizerBytes + b.masterBytes));
  return bytes / (gpu.hbmBandwidthBytesPerSecond * gpu.memoryEfficiency) + tensorsPerDevice * gpu.launchSeconds;
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
  const limit = input.memoryLimitBytes ?? gpu.hbmBytes;
  return {
    stepSeconds: c.matmulSeconds + c.memoryBoundSeconds + residualCopySeconds + optimizer + comm,
    breakdown: { ...c, memoryBoundSeconds: c.memoryBoundSeconds + residualCopySeconds, residualCopySeconds, optimizerSeconds: optimizer, communicationSeconds: comm },
    memory,
    feasible: memory.requiredBytes <= limit,
  };
}
