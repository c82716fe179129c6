/**
 * The page: header with the view switch; Model and Cluster panels (the current scenario) on the left; in the centre
 * the view chosen: the plan views, Compare, Sweep or Learn. Files drop anywhere.
 */
import { useCallback, useEffect, type ReactNode } from 'react';
import { useActions } from './client/context.ts';
import { ClusterEditor } from './components/ClusterPanel.tsx';
import { ErrorsRegion } from './components/ErrorsRegion.tsx';
import { Header } from './components/Header.tsx';
import { ModelSources } from './components/ModelSources.tsx';
import { ModelSummary } from './components/ModelSummary.tsx';
import { LayerGraph } from './graph/LayerGraph.tsx';
import { Region } from './components/Region.tsx';
import { StatusLine } from './components/StatusLine.tsx';
import { TrainingOptions } from './components/TrainingOptions.tsx';
import { PlanViews } from './views/PlanViews.tsx';
import { CompareView } from './views/compare/CompareView.tsx';
import { LearnView } from './views/learn/LearnView.tsx';
import { SweepView } from './views/sweep/SweepView.tsx';
import { useApp } from './store/store.ts';
import type { PageView } from './store/slices.ts';

function useFileDrop(open: (f: File) => void): void {
  useEffect(() => {
    const over = (e: DragEvent) => { if (e.dataTransfer?.types.includes('Files')) e.preventDefault(); };
    const drop = (e: DragEvent) => {
      const f = e.dataTransfer?.files[0];
      if (!f) return;
      e.preventDefault();
      open(f);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => { window.removeEventListener('dragover', over); window.removeEventListener('drop', drop); };
  }, [open]);
}

function Column({ children, className }: { children: ReactNode; className: string }) {
  return <div className={`flex min-w-0 flex-col gap-3 p-3 ${className}`}>{children}</div>;
}

function Centre({ view }: { view: PageView }) {
  switch (view) {
    case 'plan': return <PlanViews />;
    case 'compare': return <CompareView />;
    case 'sweep': return <SweepView />;
    case 'learn': return <LearnView />;
  }
}

export function App() {
  const actions = useActions();
  const view = useApp((s) => s.view);
  useFileDrop(useCallback((f: File) => void actions.openFile(f), [actions]));
  return (
    <div className="min-h-full bg-slate-50 text-slate-900 dark:bg-slate-950 dark:text-slate-100">
      <Header />
      <main className="grid grid-cols-[380px_minmax(0,1fr)] items-start">
        <Column className="border-r border-slate-200 dark:border-slate-800">
          <Region name="Model">
            <div className="space-y-3">
              <ModelSources />
              <ModelSummary />
              <LayerGraph />
            </div>
          </Region>
          <Region name="Cluster">
            <div className="space-y-3">
              <ClusterEditor />
              <TrainingOptions />
            </div>
          </Region>
        </Column>
        <Column className="">
          <ErrorsRegion />
          <StatusLine />
          <Centre view={view} />
        </Column>
      </main>
    </div>
  );
}
