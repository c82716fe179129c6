/**
 * Guided examples: one button per scenario (opening one loads its model and cluster, which the user can then
 * change), and the open example's text, built from the numbers on screen.
 */
import type { LearnResult } from '../../../workers/core/whatif/learn.ts';
import { useActions } from '../../client/context.ts';
import { buttonClass } from '../../components/Region.tsx';
import { useApp } from '../../store/store.ts';
import { exampleCluster, exampleFor, exampleText, LEARN_EXAMPLES, type LearnExample } from './examples.ts';

export function Examples({ result }: { result?: LearnResult }) {
  const actions = useActions();
  const editCluster = useApp((s) => s.editCluster);
  const model = useApp((s) => s.graph?.name);
  const loading = useApp((s) => s.jobs.model !== undefined);
  const open = (e: LearnExample) => {
    editCluster(() => exampleCluster(e));
    void actions.loadSource({ kind: 'zoo', name: e.model });
  };
  const current = exampleFor(model);
  // The text speaks of the result on screen: its model and cluster (the scenario may have moved on since).
  const planned = result?.rows.find((r) => r.ok);
  const made = planned && planned.ok ? { model: planned.plan.model, cluster: planned.plan.cluster } : undefined;
  const described = made ? exampleFor(made.model) : undefined;
  return (
    <section aria-label="Guided examples" className="space-y-2">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="text-xs font-semibold text-slate-500">Guided examples</span>
        {LEARN_EXAMPLES.map((e) => {
          const c = exampleCluster(e);
          return (
            <button key={e.id} type="button" disabled={loading} aria-pressed={current?.id === e.id}
              className={`${buttonClass} ${current?.id === e.id ? 'border-indigo-500 ring-1 ring-indigo-500' : ''}`} onClick={() => open(e)}>
              {e.family}: {e.model} on {c.name}
            </button>
          );
        })}
      </div>
      {described && made && result && (
        <p className="rounded bg-slate-100 px-3 py-2 text-sm dark:bg-slate-800" data-testid="learn-example-text">
          <span className="font-semibold">{described.family} example. </span>
          {made.cluster !== exampleCluster(described).name && <span className="text-slate-500 dark:text-slate-400">(opened on {exampleCluster(described).name}, now {made.cluster}) </span>}
          {exampleText(described, result)}
        </p>
      )}
    </section>
  );
}
