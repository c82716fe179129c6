/**
 * Plan JSON, Chrome trace, JAX script and Megatron-LM argument downloads (the same core as `meshplan export`).
 * The planner marks infeasible search candidates with an infinite step time, which JSON cannot hold: those trace
 * entries are left out of the file and the page says how many.
 */
import type { Precision } from '../../workers/core/cost/precision.ts';
import { chromeTrace, exportablePlan, jaxScript, megatronArgs, megatronText, planToJson } from '../../workers/core/export/index.ts';
import type { ModelGraph } from '../../workers/core/ir/types.ts';
import type { Plan } from '../../workers/core/plan/types.ts';
import { download } from './figures.ts';

export { exportablePlan };

/** Downloads the plan JSON; returns a note for the page when entries were left out. */
export function downloadPlanJson(plan: Plan): string | undefined {
  const { plan: clean, droppedTraceEntries } = exportablePlan(plan);
  download('meshplan-plan.json', new Blob([planToJson(clean)], { type: 'application/json' }));
  return droppedTraceEntries > 0 ? `Plan JSON: ${droppedTraceEntries} infeasible search candidates (infinite step time) were left out of the trace.` : undefined;
}

export function downloadChromeTrace(plan: Plan): void {
  download('meshplan-trace.json', new Blob([JSON.stringify(chromeTrace(plan))], { type: 'application/json' }));
}

/** Downloads the JAX training script; throws (the menu shows it) when the plan or model cannot be exported. */
export function downloadJaxScript(plan: Plan, graph: ModelGraph | undefined, precision: Precision): void {
  if (!graph) throw new Error('no model is loaded');
  const r = jaxScript(plan, graph, precision);
  if (!r.ok) throw new Error(r.reason);
  download('meshplan-train.py', new Blob([r.script], { type: 'text/x-python' }));
}

/**
 * The Megatron-LM text; for a plan Megatron cannot express, the nearest Megatron plan is the fastest of the
 * search's other plans that Megatron can express (none: the text says how to get one from the CLI).
 */
export function megatronExport(plan: Plan, alternatives: readonly Plan[], graph: ModelGraph | undefined, precision: Precision): string {
  if (megatronArgs(plan, graph, precision).ok) return megatronText(plan, graph, precision);
  const near = alternatives.filter((p) => p.feasible && megatronArgs(p, graph, precision).ok).sort((a, b) => a.stepSeconds - b.stepSeconds)[0];
  return megatronText(plan, graph, precision, near ??
    'none of this search\'s other plans is Megatron-shaped: `meshplan export --format megatron` with the same options plans the nearest Megatron grid point');
}

export function downloadMegatronArgs(plan: Plan, alternatives: readonly Plan[], graph: ModelGraph | undefined, precision: Precision): void {
  download('meshplan-megatron-args.txt', new Blob([megatronExport(plan, alternatives, graph, precision)], { type: 'text/plain' }));
}
