/** The header's view switch: Plan | Compare | Sweep | Learn. Arrow keys move between tabs (WAI-ARIA tabs pattern). */
import type { KeyboardEvent } from 'react';
import { PAGE_VIEWS, type PageView } from '../store/slices.ts';
import { useApp } from '../store/store.ts';

const LABELS: Record<PageView, string> = { plan: 'Plan', compare: 'Compare', sweep: 'Sweep', learn: 'Learn' };
const HINTS: Record<PageView, string> = {
  plan: 'The plan for the scenario in the left panels',
  compare: 'Scenarios side by side, with what differs',
  sweep: 'One variable over a range of values',
  learn: 'Why intra-operator parallelism belongs on fast links and pipelines across slow ones',
};

export function ViewTabs() {
  const view = useApp((s) => s.view);
  const setView = useApp((s) => s.setView);
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    const next = PAGE_VIEWS[(PAGE_VIEWS.indexOf(view) + step + PAGE_VIEWS.length) % PAGE_VIEWS.length];
    setView(next);
    e.currentTarget.querySelector<HTMLElement>(`[data-view="${next}"]`)?.focus();
  };
  return (
    <div role="tablist" aria-label="Page section" className="flex rounded border border-slate-300 p-0.5 dark:border-slate-600" onKeyDown={onKey}>
      {PAGE_VIEWS.map((v) => (
        <button key={v} type="button" role="tab" data-view={v} aria-selected={view === v} tabIndex={view === v ? 0 : -1} title={HINTS[v]}
          className={`rounded px-2.5 py-0.5 text-sm ${view === v ? 'bg-indigo-600 text-white' : 'hover:bg-slate-100 dark:hover:bg-slate-800'}`}
          onClick={() => setView(v)}>
          {LABELS[v]}
        </button>
      ))}
    </div>
  );
}
