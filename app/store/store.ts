/** Builds the page's store (one per page; no module-level instance) and the hook views read it with. */
import { createContext, useContext } from 'react';
import { createStore, useStore, type StoreApi } from 'zustand';
import type { Scenario } from '../scenario.ts';
import { compareSlice, type CompareColumn } from './compareSlice.ts';
import { DEFAULT_SWEEP, sweepSlice, type SweepSetup } from './sweepSlice.ts';
import { learnSlice } from './learnSlice.ts';
import { clusterSlice, jobsSlice, modelSlice, optionsSlice, plansSlice, uiSlice, type AppState, type PageView, type Theme } from './slices.ts';

export type AppStore = StoreApi<AppState>;

export interface PageStart {
  readonly view?: PageView;
  readonly columns?: readonly CompareColumn[];
  readonly sweep?: SweepSetup;
}

export function createAppStore(scenario: Scenario, theme: Theme, start: PageStart = {}): AppStore {
  return createStore<AppState>()((...a) => ({
    ...modelSlice(scenario.model)(...a),
    ...clusterSlice(scenario.cluster)(...a),
    ...optionsSlice(scenario.options)(...a),
    ...jobsSlice(...a),
    ...plansSlice(...a),
    ...uiSlice(theme, start.view)(...a),
    ...compareSlice(start.columns ?? [])(...a),
    ...sweepSlice(start.sweep ?? DEFAULT_SWEEP)(...a),
    ...learnSlice(...a),
  }));
}

export const StoreContext = createContext<AppStore | null>(null);

/** One selector per value (use useShallow when picking several). */
export function useApp<T>(selector: (s: AppState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useApp outside <StoreContext.Provider>');
  return useStore(store, selector);
}
