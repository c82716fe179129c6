/**
 * Page entry: restores the scenario (share URL, else local storage, else the default), starts the two planner
 * workers, and on first load inspects and plans the scenario without user action.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { PlannerApi } from '../workers/planner-api.ts';
import { App } from './App.tsx';
import { initialColumns, loadView, saveColumns, saveView } from './compareState.ts';
import { numberColumns } from './store/compareSlice.ts';
import { createActions } from './client/actions.ts';
import { ActionsContext, LearnContext, WhatIfContext } from './client/context.ts';
import { createLearnRunner } from './client/learnRunner.ts';
import { createWhatIfActions } from './client/whatif.ts';
import { createBrowserPool } from '../workers/pool/browserPool.ts';
import { createWorkerHandle } from './client/workerHandle.ts';
import type { LayoutApi } from './graph/layout.worker.ts';
import { initialScenario, loadTheme, saveScenario, saveTheme } from './persist.ts';
import { scenarioOf } from './store/slices.ts';
import { createAppStore, StoreContext } from './store/store.ts';
import './styles.css';

const storage = window.localStorage;
const { scenario, from, rejected } = initialScenario(window.location.hash, storage);
const compared = initialColumns(window.location.hash, storage);
// The shared scenario now lives in local storage; dropping it from the address keeps later edits across reloads.
if (from === 'url' || compared.from === 'url' || rejected) window.history.replaceState(null, '', window.location.pathname + window.location.search);

const store = createAppStore(scenario, loadTheme(storage, window.matchMedia('(prefers-color-scheme: dark)').matches), {
  // A shared comparison opens on Compare; otherwise the page opens where it was left.
  view: compared.from === 'url' ? 'compare' : loadView(storage),
  columns: numberColumns(compared.columns),
});
const applyTheme = (t: string): void => { document.documentElement.classList.toggle('dark', t === 'dark'); };
applyTheme(store.getState().theme);
// A shared link that failed its checks: the kept scenario stays, and the Errors region says what was wrong.
if (rejected) store.getState().pushError({ what: 'Could not open the shared link', message: rejected });
saveScenario(storage, scenario);
saveColumns(storage, compared.columns);
store.subscribe((s, prev) => {
  if (s.source !== prev.source || s.cluster !== prev.cluster || s.options !== prev.options) saveScenario(storage, scenarioOf(s));
  if (s.theme !== prev.theme) { saveTheme(storage, s.theme); applyTheme(s.theme); }
  if (s.columns !== prev.columns) saveColumns(storage, s.columns);
  if (s.view !== prev.view) saveView(storage, s.view);
});

const spawnPlanner = (): Worker => new Worker(new URL('../workers/planner.worker.ts', import.meta.url), { type: 'module', name: 'meshplan-planner' });
const crashed = (which: string) => (why: string) =>
  store.getState().setNotice(`The ${which} worker stopped (${why}); a fresh one has replaced it.`);
const actions = createActions(store, {
  model: createWorkerHandle<PlannerApi>(spawnPlanner, crashed('model')),
  planner: createWorkerHandle<PlannerApi>(spawnPlanner, crashed('planner')),
  layout: createWorkerHandle<LayoutApi>(() => new Worker(new URL('./graph/layout.worker.ts', import.meta.url), { type: 'module', name: 'meshplan-layout' }), crashed('layout')),
}, storage);
// Learn plans in its own two workers (the three strategies; the crossover probes), so its runs and cancels never
// touch the plan views' search.
const learnRunner = createLearnRunner(store, {
  learn: createWorkerHandle<PlannerApi>(spawnPlanner, crashed('Learn')),
  probe: createWorkerHandle<PlannerApi>(spawnPlanner, crashed('Learn crossover')),
});

// Compare columns and sweep points each run as one job on this pool; cancelling one terminates its worker.
const cores = navigator.hardwareConcurrency || 4;
const pool = createBrowserPool({ size: Math.max(2, Math.min(cores, 4)) });
const whatif = createWhatIfActions(store, pool, actions);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreContext.Provider value={store}>
      <ActionsContext.Provider value={actions}>
        <WhatIfContext.Provider value={whatif}>
          <LearnContext.Provider value={learnRunner}>
            <App />
          </LearnContext.Provider>
        </WhatIfContext.Provider>
      </ActionsContext.Provider>
    </StoreContext.Provider>
  </StrictMode>,
);

void actions.loadSource(scenario.model, true).then((ok) => (ok ? actions.plan() : undefined));
