/**
 * The intra-op pass for commands that plan several scenarios of one model (compare, sweep): one HiGHS solver (or
 * the --workers pool) behind core/whatif/cache.ts, so sub-meshes that recur across clusters are solved once.
 */
import { createHighsSolver, runIntra } from '../core/intra/index.ts';
import type { PlanDeps } from '../core/plan.ts';
import { cachingIntra } from '../core/whatif/cache.ts';

export function whatifDeps(deps: PlanDeps): PlanDeps {
  if (deps.intra === 'manual') return deps;
  if (deps.intra) return { ...deps, intra: cachingIntra(deps.intra).solve };
  const solver = deps.solver ?? createHighsSolver();
  return { ...deps, intra: cachingIntra((input) => runIntra(input, solver)).solve };
}
