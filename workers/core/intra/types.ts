/** Input of the intra-op pass (the brief's IntraInput, plus optional hints). */
import type { Cluster, SubMesh } from '../cluster/types.ts';
import type { ModelGraph } from '../ir/types.ts';
import type { Precision } from '../plan/types.ts';

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
