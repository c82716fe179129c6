/**
 * What every planning path shares (the searched plan and the baselines): the graph and cluster, the normalised
 * options, the layer clustering, memory limits per GPU group, micro-batch counts and remat choices to try. Built
 * once per plan() call by plan/context.ts createContext.
 */
import type { Cluster } from '../cluster/types.ts';
import type { ModelGraph, Tensor } from '../ir/types.ts';
import type { LayerClustering } from './layerConstruction.ts';
import { manualProfile, type ManualStrategy } from './manualProfile.ts';
import type { PlanOptions } from './plan.ts';
import { runtimeTraitsOn } from './runtime.ts';
import { submeshGpu } from '../cluster/topology.ts';
import { DEFAULT_CAPACITY_FACTOR, expertGroupLink } from './expertChoice.ts';
import type { CostContext } from './stageCosts.ts';
import type { Recompute } from './stageOptions.ts';
import type { MeshSpace } from './meshSpace.ts';
import type { ProfileFn } from './profileUnits.ts';
import type { PricingGraph, UnitProfile } from './unitProfile.ts';

export interface PlanContext {
  readonly graph: ModelGraph;
  readonly cluster: Cluster;
  readonly options: PlanOptions;
  readonly training: boolean;
  readonly clustering: LayerClustering;
  readonly tensors: ReadonlyMap<string, Tensor>;
  readonly memoryLimitBytes: readonly number[];
  readonly microbatchCounts: readonly number[];
  /** Recomputation choices per stage the search tries (inter/stageOptions.ts Recompute). */
  readonly remat: readonly Recompute[];
  readonly hasExperts: boolean;
  /** Graphs rebatched per micro-batch size, shared by every search and baseline of this call. */
  readonly rebatched: Map<number, PricingGraph>;
  /** Profile jobs in flight at once (the intra-op pass on a pool of workers). */
  readonly concurrency: number;
  /** Build each stage's per-operator sharding (false for seeds, whose step time alone decides; plan/seeds.ts). */
  readonly describeSharding: boolean;
}

export function costContext(ctx: PlanContext, space: MeshSpace, profiles: ReadonlyMap<string, UnitProfile>, clustering = ctx.clustering): CostContext {
  return {
    graph: ctx.graph, cluster: ctx.cluster, clustering, space, profiles,
    training: ctx.training, precision: ctx.options.precision, rebatched: ctx.rebatched,
    ...(ctx.options.runtime ? { runtime: ctx.options.runtime } : {}),
    ...(ctx.options.attention ? { attention: ctx.options.attention } : {}),
  };
}

export function manualProfileFn(ctx: PlanContext, strategy: ManualStrategy): ProfileFn {
  const s: ManualStrategy = { capacityFactor: ctx.options.capacityFactor ?? DEFAULT_CAPACITY_FACTOR, ...strategy };
  return async (unit, mesh) => {
    // A context-parallel group is cp consecutive positions of axis 0 (Megatron's rank order: tp, cp, dp): inside a
    // node when cp x tp GPUs fit one, priced on that link rather than axis 0's.
    const cp = s.contextParallel;
    const split = ctx.options.cpSplit ? { split: ctx.options.cpSplit } : {};
    const withLink = cp && cp.degree > 1 && !cp.link ? { ...s, contextParallel: { ...cp, ...split, link: expertGroupLink(ctx.cluster, mesh.canonical, mesh.logical, cp.degree) } } : s;
    return manualProfile(ctx.graph, unit, mesh.logical, ctx.options.precision, withLink, mesh.links, ctx.tensors, ctx.training, runtimeTraitsOn(ctx.options.runtime, submeshGpu(ctx.cluster, mesh.canonical)));
  };
}
