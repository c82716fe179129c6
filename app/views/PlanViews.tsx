/** The centre column: every plan view, each its own named region. */
import { Empty, Region } from '../components/Region.tsx';
import { useApp } from '../store/store.ts';

export function PlanViews() {
  const plan = useApp((s) => s.plan);
  const planning = useApp((s) => s.jobs.plan !== undefined);
  const none = <Empty>{planning ? 'Planning…' : 'No plan yet: press Plan.'}</Empty>;
  return (
    <>
      {['Stages', 'Sharding', 'Timeline', 'Memory', 'Breakdown', 'Explanation'].map((name) => (
        <Region key={name} name={name}>{plan ? <pre className="text-xs">{plan.label}</pre> : none}</Region>
      ))}
    </>
  );
}
