/** Input of the intra-op pass (the brief's IntraInput, plus optional hints). */
import type { Cluster, SubMesh } from '../cluster/types.ts';
import type { ModelGraph } from '../ir/types.ts';
import type { Collective } from '../cost/collectives.ts';
import type { MemoryBreakdown } from '../cost/memory.ts';
import type { Precision } from '../cost/precision.ts';

export interface IntraInput {
  readonly graph: ModelGraph;
  /** The stage's ops (default: all); tensors they consume but do not produce are the stage's inputs. */
  readonly opIds?: readonly string[];
  readonly cluster: Cluster;
  readonly submesh: SubMesh;
  /** Logical (n0, n1) view of the sub-mesh; axis 1 inside a node when it fits. */
  readonly meshShape: readonly [number, number];
  readonly mode: 'train' | 'infer';
  readonly precision: Precision;
  readonly remat?: boolean;
  /** Per-device memory budget, bytes; none = unconstrained. */
  readonly memoryBudgetBytes?: number;
  /** Wall-clock limit of the ILP solve, seconds (default 60). */
  readonly timeLimitSeconds?: number;
  /** Price gradient synchronisation (default true when training). */
  readonly gradientSync?: boolean;
  /** Micro-batches per step: the ILP weighs the once-per-step gradient sync at 1/microbatches (default 1). */
  readonly microbatches?: number;
  /** Relative MIP gap at which the solve may stop (default 1e-4). */
  readonly mipRelGap?: number;
}

/** Alpa notation per tensor dim: 'R' | 'S0' | 'S1' | 'S01'; a spec string joins them, e.g. 'S0R', 'RS1'. */
export type DimSharding = 'R' | 'S0' | 'S1' | 'S01';

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
