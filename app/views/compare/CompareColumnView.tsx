/** One Compare column: its inputs, its own progress and cancel, its figures and thumbnails, and what differs. */
import { useEffect, useMemo } from 'react';
import { useWhatIf } from '../../client/context.ts';
import { columnKey } from '../../client/whatif.ts';
import { buttonClass } from '../../components/Region.tsx';
import type { ModelSource } from '../../scenario.ts';
import type { CompareColumn } from '../../store/compareSlice.ts';
import { useApp } from '../../store/store.ts';
import { ColumnDiff } from './ColumnDiff.tsx';
import { ColumnEditor } from './ColumnEditor.tsx';
import { ColumnFigures } from './ColumnFigures.tsx';
import { StageStripThumb, TimelineThumb } from './Thumbnails.tsx';

/** Edits re-plan the column after this pause (typing "16" plans once, not for "1" and then "16"). */
const REPLAN_DELAY_MS = 400;

function Progress({ name, phase, done, total, cancel }: { name: string; phase: string; done: number; total: number; cancel: () => void }) {
  return (
    <div className="flex items-center gap-2">
      <div className="flex-1" aria-live="polite">
        <div role="progressbar" aria-label={`${name} progress`} aria-valuemin={0} aria-valuemax={total} aria-valuenow={done}
          className="h-1.5 overflow-hidden rounded bg-slate-200 dark:bg-slate-700">
          <div className="h-full bg-indigo-500" style={{ width: `${total > 0 ? Math.min(1, done / total) * 100 : 0}%` }} />
        </div>
        <span className="tabular text-xs text-slate-500 dark:text-slate-400">{phase} {done}/{total}</span>
      </div>
      <button type="button" className={`${buttonClass} text-xs`} aria-label={`Cancel ${name}`} onClick={cancel}>Cancel</button>
    </div>
  );
}

export function CompareColumnView({ column, index, models }: { column: CompareColumn; index: number; models: readonly ModelSource[] }) {
  const whatif = useWhatIf();
  const run = useApp((s) => s.columnRuns[column.id]);
  const diff = useApp((s) => s.columnDiffs[column.id]);
  const editColumn = useApp((s) => s.editColumn);
  const name = `Scenario ${index + 1}`;
  const key = useApp((s) => columnKey(column, s));
  const planned = run?.key === key;
  // Plans a restored column, and re-plans after an edit (the previous run of this column is cancelled).
  useEffect(() => {
    if (planned) return;
    const t = setTimeout(() => whatif.planColumn(column.id), run ? REPLAN_DELAY_MS : 0);
    return () => clearTimeout(t);
  }, [key, planned]); // eslint-disable-line react-hooks/exhaustive-deps
  const changed = useMemo(() => new Set(diff?.inputs.map((c) => c.field) ?? []), [diff]);
  const moved = useMemo(() => new Set(diff?.boundaries?.added ?? []), [diff]);
  const step = diff?.terms?.find((t) => t.term === 'step');
  return (
    <section role="group" aria-label={name} className="flex min-w-0 flex-col gap-2 rounded-lg border border-slate-200 p-2 dark:border-slate-700">
      <header className="flex items-center justify-between gap-2">
        <h3 className="truncate text-sm font-semibold" title={column.scenario.cluster.name}>
          {name}{index === 0 && <span className="ml-1 text-xs font-normal text-slate-500 dark:text-slate-400">(reference)</span>}
        </h3>
        <button type="button" className={`${buttonClass} text-xs`} aria-label={`Remove ${name}`} onClick={() => whatif.removeColumn(column.id)}>✕</button>
      </header>
      <ColumnEditor column={column} changed={changed} models={models} edit={(e) => editColumn(column.id, e)} />
      {run?.kind === 'running' && <Progress name={name} phase={run.phase} done={run.done} total={run.total} cancel={() => whatif.cancelColumn(column.id)} />}
      {run?.kind === 'failed' && <p role="status" className="text-sm text-orange-800 dark:text-orange-200">No plan: {run.reason}</p>}
      {run?.kind === 'cancelled' && (
        <p role="status" className="flex items-center justify-between text-sm text-slate-600 dark:text-slate-300">
          Cancelled.<button type="button" className={`${buttonClass} text-xs`} onClick={() => whatif.planColumn(column.id)}>Plan again</button>
        </p>
      )}
      {run?.kind === 'done' && (
        <div className={`space-y-2 ${planned ? '' : 'opacity-50'}`} aria-busy={!planned}>
          {!run.result.summary.feasible && <p className="text-sm text-red-700 dark:text-red-400">Infeasible: {run.result.summary.infeasibleReason}</p>}
          <ColumnFigures summary={run.result.summary} step={index > 0 ? step : undefined} />
          <StageStripThumb stages={run.result.summary.stages} moved={index > 0 ? moved : undefined} />
          <TimelineThumb timeline={run.result.timeline} stageCount={run.result.summary.stageCount} />
        </div>
      )}
      {index > 0 && <ColumnDiff diff={diff} index={index} />}
    </section>
  );
}
