/**
 * Result types of the planner. One `Plan` type for searched, baseline and hand-made plans; views, exporters and the
 * schedule simulator take only `Plan`. All plain data.
 */
import type { SubMesh } from '../cluster/types.ts';

/** Alpa notation per tensor dim: 'R' | 'S0' | 'S1' | 'S01'; a spec string joins them, e.g. 'S0R', 'RS1'. */
export type DimSharding = 'R' | 'S0' | 'S1' | 'S01';

export type CollectiveKind = 'all-reduce' | 'all-gather' | 'reduce-scatter' | 'all-to-all' | 'send-recv';

export interface Collective {
  readonly kind: CollectiveKind;
  /** Mesh axis it runs over: 0, 1, or 'both' (01). */
  readonly axis: 0 | 1 | '01';
  /** Bytes of the full message the collective moves (before the (n-1)/n factors). */
  readonly bytes: number;
  readonly seconds: number;
  /** Op (or tensor) that implies it, and why: 'forward', 'backward', 'gradient-sync', 'resharding', 'weight-update'. */
  readonly op: string;
  readonly reason: string;
}

export interface OpSharding {
  readonly op: string;         // op id
  readonly name: string;
  /** Strategy name in Alpa's notation, e.g. 'SS=SR×RS', 'S0R = S0R×RR', 'follow'. */
  readonly strategy: string;
  /** Spec of each input as the op consumes it, and of each output. */
  readonly inputSpecs: readonly string[];
  readonly outputSpecs: readonly string[];
  readonly computeSeconds: number;
  readonly communicationSeconds: number;
}

export interface TensorSharding {
  readonly tensor: string;     // tensor id
  readonly name: string;
  readonly kind: string;
  readonly shape: readonly number[];
  readonly spec: string;
  /** Parameters only: true when the ILP shards its gradients and optimizer state over the axes the weight is
   * replicated on (ZeRO-like weight-update sharding: reduce-scatter gradients, all-gather updated weights). */
  readonly weightUpdateSharded?: boolean;
}

export interface CostBreakdown {
  readonly computeSeconds: number;
  readonly communicationSeconds: number;
  readonly reshardingSeconds: number;
}

export interface MemoryBreakdown {
  readonly paramBytes: number;
  readonly gradBytes: number;
  readonly optimizerBytes: number;
  readonly activationBytes: number;
  readonly temporaryBytes: number;
}

export type SolveStatus = 'optimal' | 'time-limit' | 'infeasible' | 'error';

/** The intra-op pass's answer for one stage on one logical mesh. */
export interface ShardingPlan {
  readonly status: SolveStatus;
  /** Predicted latency of the stage for one micro-batch (forward + backward when training), seconds; the ILP's
   * objective. Gradient synchronisation is priced once per step and reported apart (gradientSyncSeconds). */
  readonly objectiveSeconds: number;
  readonly forwardSeconds: number;
  readonly backwardSeconds: number;
  /** Gradient all-reduce / reduce-scatter+all-gather of this stage, once per step (not per micro-batch). */
  readonly gradientSyncSeconds: number;
  readonly meshShape: readonly [number, number];
  readonly ops: readonly OpSharding[];
  readonly tensors: readonly TensorSharding[];
  readonly collectives: readonly Collective[];
  readonly cost: CostBreakdown;
  /** Per-device memory split; the total is memoryBytesPerDevice. */
  readonly memory: MemoryBreakdown;
  readonly memoryBytesPerDevice: number;
  readonly ilp: { readonly variables: number; readonly constraints: number; readonly solveSeconds: number };
  /** When infeasible: the smallest per-device memory any strategy reaches. */
  readonly minimumMemoryBytes?: number;
  readonly message?: string;
}

export type ScheduleKind = 'gpipe' | '1f1b' | 'eager-1f1b' | 'inference';

export interface Stage {
  readonly index: number;
  /** Layer indices [start, end) of the model's layer clustering. */
  readonly layers: readonly [number, number];
  readonly layerNames?: readonly string[];
  readonly submesh: SubMesh;
  /** (nodes, gpus per node) shape of the sub-mesh. */
  readonly submeshShape: readonly [number, number];
  readonly logicalMesh: readonly [number, number];
  /** Global device indices (node * gpusPerNode + gpu, counting nodes in cluster order). */
  readonly devices: readonly number[];
  readonly gpu: string;
  readonly forwardSeconds: number;
  readonly backwardSeconds: number;
  /** Gradient synchronisation of this stage, once per step. */
  readonly gradientSyncSeconds: number;
  /** Time to send this stage's boundary activations to the next stage, per micro-batch. */
  readonly sendSeconds: number;
  readonly remat: boolean;
  readonly memory: MemoryBreakdown;
  readonly memoryBytesPerDevice: number;
  /** What must be free when the runtime holds more than one step's temporaries (inter/runtime.ts), when larger
   * than memoryBytesPerDevice; feasibility compares this with the limit. */
  readonly requiredBytesPerDevice?: number;
  readonly memoryLimitBytes: number;
  readonly sharding?: ShardingPlan;
}

export type TimelineEventKind = 'forward' | 'backward' | 'send' | 'gradient-sync' | 'update';

export interface TimelineEvent {
  readonly stage: number;
  /** Micro-batch index; -1 for per-step events (gradient-sync, update). */
  readonly microbatch: number;
  readonly kind: TimelineEventKind;
  /** For 'send' events: the receiving stage (`stage` is the sender). */
  readonly toStage?: number;
  readonly startSeconds: number;
  readonly endSeconds: number;
}

export interface PlanBreakdown {
  readonly computeSeconds: number;
  readonly intraStageCommunicationSeconds: number;
  readonly crossStageSeconds: number;
  readonly bubbleSeconds: number;
  readonly gradientSyncSeconds: number;
}

export interface SearchTraceEntry {
  readonly label: string;
  readonly stepSeconds: number;
  readonly feasible: boolean;
  readonly note?: string;
}

export interface Explanation {
  readonly summary: string;
  readonly dominantTerms: readonly { readonly term: string; readonly seconds: number; readonly fraction: number }[];
  readonly runnerUp?: { readonly label: string; readonly stepSeconds: number; readonly why: string };
}

export type PlanKind = 'searched' | 'megatron' | 'dp' | 'zero3' | 'intra-only' | 'inter-only' | 'manual';

export interface Plan {
  readonly kind: PlanKind;
  readonly label: string;
  readonly model: string;
  readonly cluster: string;
  readonly mode: 'train' | 'infer';
  readonly globalBatch: number;
  readonly microbatches: number;
  readonly schedule: ScheduleKind;
  readonly stages: readonly Stage[];
  readonly feasible: boolean;
  /** Why not feasible: which stage exceeds memory by how much. */
  readonly infeasibleReason?: string;
  readonly stepSeconds: number;
  /** The paper's definition (recomputation counted when layers are rematerialised). */
  readonly tflopsPerGpu: number;
  /** Model FLOPs only (no recomputation). */
  readonly modelTflopsPerGpu: number;
  readonly samplesPerSecond: number;
  readonly breakdown: PlanBreakdown;
  readonly timeline: readonly TimelineEvent[];
  readonly searchSeconds: number;
  readonly trace: readonly SearchTraceEntry[];
  readonly explanation: Explanation;
}

/**
 * Training precision: parameter dtype / gradient dtype / optimizer state / fp32 master copy.
 * fp16-mixed and bf16-mixed: 2+2 bytes + 4 master + 8 Adam = 16 B/param (Megatron, the paper's runs);
 * bf16-adam32: bf16 params and grads, fp32 Adam moments, no master copy = 12 B/param (the calibration rows);
 * fp32: 4+4+8 = 16 B/param.
 */
export const PRECISIONS = ['fp16-mixed', 'bf16-mixed', 'bf16-adam32', 'fp32'] as const;
export type Precision = (typeof PRECISIONS)[number];

export type BaselineKind = 'megatron' | 'dp' | 'zero3' | 'intra-only' | 'inter-only';

/** Options of `plan()`; the CLI flags and the UI's training options map onto these one to one. */
export interface PlanOptions {
  readonly mode: 'train' | 'infer';
  /** Global batch (samples per step). */
  readonly globalBatch: number;
  readonly seq?: number;
  readonly microbatches: number | 'auto';
  readonly schedule: ScheduleKind;
  readonly remat: 'auto' | 'on' | 'off';
  readonly precision: Precision;
  /** Number of layers of the clustering, or 'auto'. */
  readonly layers: number | 'auto';
  /** Plan a baseline instead of searching. With megatron, dp/tp/pp may fix the grid point. */
  readonly baseline?: BaselineKind;
  readonly dp?: number;
  readonly tp?: number;
  readonly pp?: number;
  /** Per-device memory limit override; default each GPU's HBM. */
  readonly memoryLimitBytes?: number;
  /** Inference objective. */
  readonly inferObjective?: 'latency' | 'throughput';
  /**
   * The runtime / compiler the plan will run under (default 'megatron'), for effects that belong to it rather than
   * to the model or the GPU (inter/runtime.ts): 'megatron' (eager kernels, the paper's V100 runs): every layer of
   * the clustering recomputed under remat, one step's memory. 'xla' (JAX/XLA, the H100 calibration rows): remat
   * checkpoints the repeated blocks only, layers run as one scan loop (residual copies without remat), layer norm
   * and softmax residuals kept in fp32, and asynchronous dispatch holding two steps' temporaries.
   */
  readonly runtime?: Runtime;
}

/** Runtimes a plan can be priced for (inter/runtime.ts). */
export const RUNTIMES = ['megatron', 'xla'] as const;
export type Runtime = (typeof RUNTIMES)[number];

/** Progress reported between named phases, at most ~10 times a second. */
export interface Progress {
  readonly phase: string;
  readonly done: number;
  readonly total: number;
}
export type ProgressCallback = (p: Progress) => void;
