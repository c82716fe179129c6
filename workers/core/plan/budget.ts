/**
 * The search's work, estimated before it starts (issue 17: "never a silent hour"): intra-op ILP solves (distinct
 * units x logical meshes the ILP prices) and the stage DP's table cells and inner steps (micro-batch counts x group
 * orders x t_max passes x stages x layer ranges x device states per mesh). Past a limit the plan is refused with what
 * is too large and what to change.
 */
import { dpCells, groupOrders } from '../inter/stageConstruction.ts';
import type { MeshSpace } from '../inter/meshSpace.ts';
import { profileKey } from '../inter/profileUnits.ts';
import { seqChoiceOf } from '../inter/seqParallel.ts';
import type { PlanContext } from './context.ts';

export interface SearchWork {
  readonly ilpSolves: number;
  readonly profiles: number;
  /** Cells of one DP pass's tables (4 tables, 24 bytes a cell). */
  readonly dpCells: number;
  /** Inner-loop steps of all DP passes, assuming PASSES_PER_COUNT t_max passes per micro-batch count. */
  readonly dpSteps: number;
}

/** t_max passes per micro-batch count and group order: a binary search and the first few candidates. */
const PASSES_PER_COUNT = 12;

export const SEARCH_LIMITS = {
  /** ~0.05-0.5 s each: 2,000 is minutes on one core. */
  ilpSolves: 2000,
  /** 2^25 cells x 24 bytes = 768 MiB of tables per pass. */
  dpCells: 2 ** 25,
  /** ~3e8 steps a second in V8: 1e11 is several minutes. */
  dpSteps: 1e11,
} as const;

export function estimateSearchWork(ctx: PlanContext, space: MeshSpace): SearchWork {
  const keys = new Set<string>();
  const solves = new Set<string>();
  for (const sub of space.submeshes) for (const mesh of sub.meshes) for (const unit of ctx.clustering.unitGraph.units) {
    const key = profileKey(unit, mesh, sub);
    if (keys.has(key)) continue;
    keys.add(key);
    // One solve per unit and mesh serves every ILP variant (plan/context.ts intraProfileFn).
    if (seqChoiceOf(mesh.variant).base === 'ilp') solves.add(profileKey(unit, { ...mesh, variant: 'ilp' }, sub));
  }
  const L = ctx.clustering.layers.length;
  // Devices counted in each group's quantum, as solveStageDp does (stageConstruction.ts quantised).
  const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
  const quantum = space.groups.map((g, gi) => space.submeshes.reduce((q, sub) => (sub.group === gi ? gcd(q, sub.devices) : q), g.devices));
  const groupDevices = space.groups.map((g, gi) => g.devices / quantum[gi]);
  const S = Math.min(L, space.groups.reduce((a, g) => a + g.devices, 0));
  let statesPerRange = 0;
  for (const sub of space.submeshes) statesPerRange += Math.max(0, groupDevices[sub.group] - sub.devices / quantum[sub.group] + 1);
  const passes = ctx.microbatchCounts.length * groupOrders(groupDevices.length).length * PASSES_PER_COUNT;
  return {
    ilpSolves: solves.size,
    profiles: keys.size,
    dpCells: dpCells({ layers: L, maxStages: S, groupDevices }),
    dpSteps: passes * S * (L * (L + 1)) / 2 * statesPerRange,
  };
}

/** Why the search is too large to start, with what to change; undefined when it fits the limits. */
export function searchBudgetProblem(ctx: PlanContext, space: MeshSpace): string | undefined {
  const w = estimateSearchWork(ctx, space);
  const L = ctx.clustering.layers.length;
  const devices = space.groups.reduce((s, g) => s + g.devices, 0);
  const fmt = (n: number) => (n >= 1e6 ? n.toExponential(1) : n.toLocaleString('en-US'));
  if (w.ilpSolves > SEARCH_LIMITS.ilpSolves) {
    return `the search would solve ${fmt(w.ilpSolves)} intra-op ILPs (${ctx.clustering.unitGraph.units.length} units x ` +
      `${space.meshes.length} logical meshes), over the limit of ${fmt(SEARCH_LIMITS.ilpSolves)}: use the template ` +
      `sharding (--intra manual), a smaller cluster, or a model whose layers repeat`;
  }
  if (w.dpCells > SEARCH_LIMITS.dpCells) {
    return `the stage DP's tables would hold ${fmt(w.dpCells)} cells (${L} layers x ${devices} GPUs), over the limit of ` +
      `${fmt(SEARCH_LIMITS.dpCells)}: use fewer layers (--layers 16) or fewer GPUs`;
  }
  if (w.dpSteps > SEARCH_LIMITS.dpSteps) {
    return `the stage DP would take about ${fmt(w.dpSteps)} steps (${ctx.microbatchCounts.length} micro-batch counts, ` +
      `${L} layers, ${devices} GPUs in ${space.groups.length} groups), over the limit of ${fmt(SEARCH_LIMITS.dpSteps)}: ` +
      `fix the micro-batch count (--microbatches N), use fewer layers (--layers N) or fewer GPUs`;
  }
  return undefined;
}
