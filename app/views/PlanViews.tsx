/** The centre column: every plan view, each its own named region; all take only the Plan (and its cluster). */
import { useDeferredValue } from 'react';
import { Empty, Region } from '../components/Region.tsx';
import { encodeScenario } from '../scenario.ts';
import { scenarioOf } from '../store/slices.ts';
import { useApp } from '../store/store.ts';
import { BreakdownView } from './breakdown/BreakdownView.tsx';
import { ExplanationView } from './explanation/ExplanationView.tsx';
import { MemoryView } from './memory/MemoryView.tsx';
import { ShardingView } from './sharding/ShardingView.tsx';
import { StagesView } from './stages/StagesView.tsx';
import { TimelineView } from './timeline/TimelineView.tsx';

/**
 * The views under Stages and Timeline are laid out and painted only once scrolled near (content-visibility: auto):
 * GPT-39B's Sharding view alone is ~1,700 elements, and laying out every view in the task where the plan lands was
 * that task's biggest part (~60-140 ms of main-thread CPU here). The DOM is all there (find, tests, screen readers).
 */
const BELOW_FOLD = '[content-visibility:auto] [contain-intrinsic-size:auto_480px]';

export function PlanViews() {
  // Drawn at low priority: React time-slices the views' render so a big plan (GPT-39B: ~7k timeline events, big
  // tables) never blocks the main thread in one long task. A cleared plan (Plan pressed: a new search runs) clears
  // the views at once: the deferred value would keep the old plan, stage count included, on screen during the search.
  const current = useApp((s) => s.plan);
  const deferred = useDeferredValue(current);
  const plan = current ? deferred : undefined;
  const cluster = useApp((s) => s.planCluster ?? s.cluster);
  const alternatives = useApp((s) => s.alternatives.steps);
  const planning = useApp((s) => s.jobs.plan !== undefined);
  const stale = useApp((s) => s.plan !== undefined && s.planScenarioKey !== undefined && s.planScenarioKey !== encodeScenario(scenarioOf(s)));
  const none = <Empty>{planning ? 'Planning…' : 'No plan yet: press Plan.'}</Empty>;
  return (
    <>
      {plan && stale && !planning && (
        <p className="rounded border border-sky-300 bg-sky-50 px-3 py-1.5 text-sm text-sky-900 dark:border-sky-700 dark:bg-sky-950 dark:text-sky-100">
          This plan is for {plan.model} on {plan.cluster}; the model, cluster or options have changed since. Press Plan to update it.
        </p>
      )}
      <Region name="Stages">{plan ? <StagesView plan={plan} cluster={cluster} /> : none}</Region>
      <Region name="Timeline">{plan ? <TimelineView plan={plan} /> : none}</Region>
      <div className="grid grid-cols-1 gap-3 2xl:grid-cols-2">
        <Region name="Memory" className={BELOW_FOLD}>{plan ? <MemoryView plan={plan} /> : none}</Region>
        <Region name="Breakdown" className={BELOW_FOLD}>{plan ? <BreakdownView plan={plan} /> : none}</Region>
      </div>
      <Region name="Sharding" className={BELOW_FOLD}>{plan ? <ShardingView plan={plan} /> : none}</Region>
      <Region name="Explanation" className={BELOW_FOLD}>{plan ? <ExplanationView plan={plan} alternatives={alternatives} /> : none}</Region>
    </>
  );
}
