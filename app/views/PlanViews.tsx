/** The centre column: every plan view, each its own named region; all take only the Plan (and its cluster). */
import { useDeferredValue } from 'react';
import { Empty, Region } from '../components/Region.tsx';
import { useApp } from '../store/store.ts';
import { BreakdownView } from './breakdown/BreakdownView.tsx';
import { ExplanationView } from './explanation/ExplanationView.tsx';
import { MemoryView } from './memory/MemoryView.tsx';
import { ShardingView } from './sharding/ShardingView.tsx';
import { StagesView } from './stages/StagesView.tsx';
import { TimelineView } from './timeline/TimelineView.tsx';

export function PlanViews() {
  // Drawn at low priority: React time-slices the views' render so a big plan (GPT-39B: ~7k timeline events, big
  // tables) never blocks the main thread in one long task.
  const plan = useDeferredValue(useApp((s) => s.plan));
  const cluster = useApp((s) => s.planCluster ?? s.cluster);
  const alternatives = useApp((s) => s.alternatives);
  const planning = useApp((s) => s.jobs.plan !== undefined);
  const none = <Empty>{planning ? 'Planning…' : 'No plan yet: press Plan.'}</Empty>;
  return (
    <>
      <Region name="Stages">{plan ? <StagesView plan={plan} cluster={cluster} /> : none}</Region>
      <Region name="Timeline">{plan ? <TimelineView plan={plan} /> : none}</Region>
      <div className="grid grid-cols-1 gap-3 2xl:grid-cols-2">
        <Region name="Memory">{plan ? <MemoryView plan={plan} /> : none}</Region>
        <Region name="Breakdown">{plan ? <BreakdownView plan={plan} /> : none}</Region>
      </div>
      <Region name="Sharding">{plan ? <ShardingView plan={plan} /> : none}</Region>
      <Region name="Explanation">{plan ? <ExplanationView plan={plan} alternatives={alternatives} /> : none}</Region>
    </>
  );
}
