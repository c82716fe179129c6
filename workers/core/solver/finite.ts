/**
 * A MILP's numbers checked before it reaches HiGHS: every objective and row coefficient finite, every bound a
 * number (±Infinity only where it means "none"). A cost model fed 1e-300 peaks or 1e308 latencies made NaN and
 * Infinity coefficients, which the LP text turned into a parse error deep in the solver; this names the variable
 * or row instead.
 */
import type { MilpModel } from './types.ts';

export function nonFiniteProblem(model: MilpModel): string | undefined {
  for (const v of model.variables) {
    if (!Number.isFinite(v.objective)) return `variable ${v.name} has objective coefficient ${v.objective}`;
    if (Number.isNaN(v.lowerBound) || Number.isNaN(v.upperBound) || v.lowerBound === Infinity || v.upperBound === -Infinity) return `variable ${v.name} has bounds [${v.lowerBound}, ${v.upperBound}]`;
  }
  for (const c of model.constraints) {
    for (const [, coef] of c.terms) if (!Number.isFinite(coef)) return `row ${c.name} has coefficient ${coef}`;
    if (Number.isNaN(c.lowerBound) || Number.isNaN(c.upperBound) || c.lowerBound === Infinity || c.upperBound === -Infinity) return `row ${c.name} has bounds [${c.lowerBound}, ${c.upperBound}]`;
  }
  if (!Number.isFinite(model.objectiveOffset)) return `the objective offset is ${model.objectiveOffset}`;
  return undefined;
}
