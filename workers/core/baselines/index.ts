/**
 * Baselines (alpa.md §5 "Baselines"): what each one fixes. plan/baselines.ts plans them through the same cost model
 * and assembly as the search, each a real Plan:
 * - megatron: Megatron-LM v2, grid over (DP, TP, PP) with uniform layers, replicated optimizer; best of the grid,
 *   or the point given by dp/tp/pp;
 * - dp: pure data parallelism (experts spread over the data-parallel devices when the model has them:
 *   DeepSpeed's DP + expert parallelism);
 * - zero3: data parallelism with parameters, gradients and optimizer state sharded (ZeRO-3);
 * - intra-only: one stage over the whole cluster, sharded by the intra-op pass (Alpa's ablation);
 * - inter-only: the stage DP with data parallelism only inside stages (pipeline + DP).
 */
import type { BaselineKind } from '../inter/plan.ts';

/** Layers of the inter-only baseline's clustering. */
export const INTER_ONLY_LAYERS = 64;

export const BASELINE_KINDS: readonly BaselineKind[] = ['megatron', 'dp', 'zero3', 'intra-only', 'inter-only'];

/** Grid points (dp, tp, pp): tp a power of two within a node, dp * tp * pp = GPUs. */
export function megatronGrid(total: number, perNode: number): { dp: number; tp: number; pp: number }[] {
  const out: { dp: number; tp: number; pp: number }[] = [];
  for (let tp = 1; tp <= perNode; tp *= 2) {
    if (total % tp !== 0) continue;
    for (let pp = 1; pp <= total / tp; pp++) if ((total / tp) % pp === 0) out.push({ dp: total / tp / pp, tp, pp });
  }
  return out;
}
