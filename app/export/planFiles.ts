/**
 * Plan JSON and Chrome trace downloads. The planner marks infeasible search candidates with an infinite step time,
 * which JSON cannot hold (planToJson refuses it): those trace entries are left out of the file and the page says
 * how many.
 */
import { chromeTrace, planToJson } from '../../workers/core/export/index.ts';
import type { Plan } from '../../workers/core/plan/types.ts';
import { download } from './figures.ts';

export function exportablePlan(plan: Plan): { plan: Plan; droppedTraceEntries: number } {
  const trace = plan.trace.filter((t) => Number.isFinite(t.stepSeconds));
  return { plan: { ...plan, trace }, droppedTraceEntries: plan.trace.length - trace.length };
}

/** Downloads the plan JSON; returns a note for the page when entries were left out. */
export function downloadPlanJson(plan: Plan): string | undefined {
  const { plan: clean, droppedTraceEntries } = exportablePlan(plan);
  download('meshplan-plan.json', new Blob([planToJson(clean)], { type: 'application/json' }));
  return droppedTraceEntries > 0 ? `Plan JSON: ${droppedTraceEntries} infeasible search candidates (infinite step time) were left out of the trace.` : undefined;
}

export function downloadChromeTrace(plan: Plan): void {
  download('meshplan-trace.json', new Blob([JSON.stringify(chromeTrace(plan))], { type: 'application/json' }));
}
