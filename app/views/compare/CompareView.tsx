/** The Compare region: 2-4 scenarios side by side, each a full plan in the worker pool, diffed against the first. */
import { useContext, useEffect, useState } from 'react';
import { useActions, useWhatIf } from '../../client/context.ts';
import { buttonClass, primaryButtonClass, Region } from '../../components/Region.tsx';
import type { ModelSource } from '../../scenario.ts';
import { MAX_COLUMNS } from '../../store/compareSlice.ts';
import { StoreContext, useApp } from '../../store/store.ts';
import { CompareColumnView } from './CompareColumnView.tsx';

/** Zoo models, and the loaded model when it is from elsewhere (a file, a sample, an HF config). */
function useModelChoices(): readonly ModelSource[] {
  const actions = useActions();
  const source = useApp((s) => s.source);
  const [zoo, setZoo] = useState<readonly string[]>([]);
  useEffect(() => { void actions.zooNames().then(setZoo, () => setZoo([])); }, [actions]);
  const fromZoo: ModelSource[] = zoo.map((name) => ({ kind: 'zoo', name }));
  return source.kind === 'zoo' && !source.dims ? fromZoo : [source, ...fromZoo];
}

export function CompareView() {
  const whatif = useWhatIf();
  const columns = useApp((s) => s.columns);
  const models = useModelChoices();
  const store = useContext(StoreContext);
  // Opening Compare with nothing in it starts from the current scenario (read at run time: StrictMode runs it twice).
  useEffect(() => { if (store?.getState().columns.length === 0) whatif.addScenario(); }, [store, whatif]);
  const actions = (
    <div className="flex items-center gap-2">
      <span className="text-xs text-slate-500 dark:text-slate-400">{columns.length} of {MAX_COLUMNS}</span>
      <button type="button" className={primaryButtonClass} disabled={columns.length >= MAX_COLUMNS} onClick={() => whatif.addScenario()}
        title="Copy the scenario of the left panels into a new column">Add scenario</button>
      {columns.length > 1 && <button type="button" className={buttonClass} onClick={() => columns.slice(1).forEach((c) => whatif.removeColumn(c.id))}>Keep only scenario 1</button>}
    </div>
  );
  return (
    <Region name="Compare" actions={actions}>
      {columns.length === 0 ? <p className="text-sm text-slate-500 dark:text-slate-400">Add a scenario to compare.</p> : (
        <div className="grid gap-2" style={{ gridTemplateColumns: `repeat(${columns.length}, minmax(0, 1fr))` }}>
          {columns.map((c, i) => <CompareColumnView key={c.id} column={c} index={i} models={models} />)}
        </div>
      )}
    </Region>
  );
}
