/**
 * What `plan()` is asked (PlanOptions) and what it answers: stages on sub-meshes (the inter-op pass's choice, each
 * with its intra-op ShardingPlan), the schedule's timeline, the breakdown, the search trace and the explanation. One
 * `Plan` type for searched, baseline and hand-made plans; views, exporters and the schedule simulator take only
 * `Plan`. All plain data.
 */
import type { SubMesh } from '../cluster/types.ts';
import type { MemoryBreakdown } from '../cost/memory.ts';
import type { Precision } from '../cost/precision.ts';
import type { ShardingPlan } from '../intra/types.ts';
import type { ScheduleKind, TimelineEvent } from '../schedule/types.ts';
import type { AttentionChoice, Runtime } from './runtime.ts';
import type { ZeroLevel } from './zeroStages.ts';
import type { CpKind, CpSplit } from './seqParallel.ts';
import type { ScheduleChoice } from './schedulePricing.ts';
import type { Recompute } from './stageOptions.ts';

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
  /** Bytes of those boundary activations per micro-batch (0 for the last stage), and whether the next stage sits
   * on other nodes (the send crosses the inter-node link). */
  readonly sendBytes: number;
  readonly sendCrossesNodes: boolean;
  /** Full recomputation (recompute === 'full'). */
  readonly remat: boolean;
  /** ZeRO stage over the data-parallel axis; on an ILP stage over each weight's replicas (the mesh axes its spec
   * leaves it replicated on: inter/ilpProfile.ts). Absent: nothing replicated to shard. */
  readonly zero?: ZeroLevel;
  /** Expert-parallel degree of the stage's MoE experts, E / degree experts per device (1: experts replicated over
   * the data-parallel axis, split by tensor parallelism); absent: no experts (or the ILP's own sharding). */
  readonly expertParallel?: number;
  /** What the stage recomputes in its backward: 'none', 'selective' (the attention cores) or 'full'; absent in
   * plans made before selective recomputation (read remat then). */
  readonly recompute?: Recompute;
  readonly memory: MemoryBreakdown;
  readonly memoryBytesPerDevice: number;
  /** What must be free when the runtime holds more than one step's temporaries (inter/runtime.ts), when larger
   * than memoryBytesPerDevice; feasibility compares this with the limit. */
  readonly requiredBytesPerDevice?: number;
  readonly memoryLimitBytes: number;
  readonly sharding?: ShardingPlan;
  /** Sequence parallelism in the regions outside tensor parallelism (inter/seqParallel.ts); absent: off. */
  readonly sequenceParallel?: boolean;
  /** Context parallelism: one sequence over `degree` devices of mesh axis 0 (data parallel = axis 0 / degree). */
  readonly contextParallel?: { readonly degree: number; readonly kind: CpKind };
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
  /** Interleaved 1F1B: chunks (virtual stages) per device the search chose. */
  readonly virtualStages?: number;
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

/** The plans `plan()` makes instead of searching (baselines/). */
export type BaselineKind = Exclude<PlanKind, 'searched' | 'manual'>;

/** Options of `plan()`; the CLI flags and the UI's training options map onto these one to one. */
export interface PlanOptions {
  readonly mode: 'train' | 'infer';
  /** Global batch (samples per step). */
  readonly globalBatch: number;
  readonly seq?: number;
  readonly microbatches: number | 'auto';
  /** 'auto': the search picks the schedule (and interleaved chunks) by each one's priced step (schedulePricing.ts). */
  readonly schedule: ScheduleChoice;
  /** Recomputation: 'auto' lets the search choose per stage among none, full and selective (attention cores only,
   * ir/attention.ts); 'on' full, 'off' none, 'selective' selective on every stage. */
  readonly remat: 'auto' | 'on' | 'off' | 'selective';
  readonly precision: Precision;
  /** Number of layers of the clustering, or 'auto'. */
  readonly layers: number | 'auto';
  /** Plan a baseline instead of searching. With megatron, dp/tp/pp may fix the grid point. */
  readonly baseline?: BaselineKind;
  readonly dp?: number;
  readonly tp?: number;
  readonly pp?: number;
  /** ZeRO stage over the data-parallel axis (1 optimizer state, 2 and gradients, 3 and parameters;
   * inter/zeroStages.ts). Search: a number forces it on every stage (template strategies only), 'auto' or absent
   * lets the search choose per stage. Baseline megatron: absent or 0 Megatron-LM's replicated optimizer, 'auto' the
   * fastest level per grid point. */
  readonly zero?: ZeroLevel | 'auto';
  /** MoE models, search: every stage's expert-parallel degree (1: experts tensor-parallel); absent: the search
   * chooses per stage among every degree that divides the data-parallel axis and the experts. */
  readonly ep?: number;
  /** MoE models: expert capacity over tokens x top_k / experts (default 1.25): the dispatch and combine
   * all-to-alls move capacityFactor x tokens x top_k x hidden elements each way. */
  readonly capacityFactor?: number;
  /** Sequence parallelism where tensor parallel > 1: the search's choice per stage ('auto', default), always or
   * never; a Megatron baseline takes it with 'on' only. */
  readonly sp?: 'on' | 'off' | 'auto';
  /** Context-parallel degree forced on every stage (searched or Megatron); absent: the search's choice where the
   * sequence is long (inter/seqParallel.ts CP_MIN_SEQ); 1: none. */
  readonly cp?: number;
  /** How context parallelism exchanges the sequence: ring attention (default) or Ulysses all-to-all. */
  readonly cpKind?: CpKind;
  /** How ring CP splits a causal sequence: Megatron / Transformer Engine's load-balanced 2cp chunks (default) or
   * cp contiguous blocks, whose last rank does (2cp - 1)/cp of the average attention (inter/fusedCore.ts
   * causalImbalance). */
  readonly cpSplit?: CpSplit;
  /** Attention cores as fused kernels (FlashAttention / cuDNN: no s x s scores kept, backward 2.5x the forward's
   * FLOPs) or naive (scores and probabilities in HBM); 'auto' (default): the runtime's (inter/runtime.ts). */
  readonly attention?: AttentionChoice;
  /** Per-device memory limit override; default each GPU's HBM. */
  readonly memoryLimitBytes?: number;
  /** Inference objective. */
  readonly inferObjective?: 'latency' | 'throughput';
  /**
   * The runtime / compiler the plan will run under (default 'megatron'), for effects that belong to it rather than
   * to the model or the GPU (inter/runtime.ts): 'megatron' (eager kernels, the paper's V100 runs): every layer of
   * the clustering recomputed under remat, one step's memory. 'xla' (JAX/XLA, the H100 calibration rows): remat
   * checkpoints the repeated blocks only, layers run as one scan loop (residual copies without remat), layer norm
   * and softmax residuals kept in fp32, one step's memory inside JAX's arena (75% of HBM unless memoryLimitBytes).
   */
  readonly runtime?: Runtime;
}
