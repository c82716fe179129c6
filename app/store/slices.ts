/**
 * The page's store, one zustand store from typed slices: model, cluster, options, jobs, plans, ui, compare
 * (compareSlice.ts) and sweep (sweepSlice.ts). It holds source data and ids; views derive the rest. Persistence is listed in ../scenario.ts.
 */
import { NO_ALTERNATIVES, type Alternatives } from './alternatives.ts';
import type { StateCreator } from 'zustand';
import type { Cluster } from '../../workers/core/cluster/types.ts';
import type { GraphSummary } from '../../workers/core/ir/inspect.ts';
import type { ModelGraph } from '../../workers/core/ir/types.ts';
import type { Plan, PlanOptions } from '../../workers/core/plan/types.ts';
import type { ModelSource, Scenario } from '../scenario.ts';
import type { CompareSlice } from './compareSlice.ts';
import type { SweepSlice } from './sweepSlice.ts';
import type { LearnSlice } from './learnSlice.ts';

export interface ModelSlice {
  readonly source: ModelSource;
  readonly graph?: ModelGraph;
  readonly summary?: GraphSummary;
  readonly warnings: readonly string[];
  setModel(source: ModelSource, graph: ModelGraph, summary: GraphSummary, warnings: readonly string[]): void;
}

export interface ClusterSlice {
  readonly cluster: Cluster;
  editCluster(edit: (c: Cluster) => Cluster): void;
}

export interface OptionsSlice {
  readonly options: PlanOptions;
  setOptions(patch: Partial<PlanOptions>): void;
}

export type JobKind = 'model' | 'plan';
export interface Job {
  readonly kind: JobKind;
  readonly label: string;
  readonly phase: string;
  readonly done: number;
  readonly total: number;
}

export interface JobsSlice {
  readonly jobs: Partial<Record<JobKind, Job>>;
  /** Something the page must tell (a replaced worker, a cancelled search), shown in the status line. */
  readonly notice?: string;
  setJob(kind: JobKind, job: Job | undefined): void;
  setNotice(notice: string | undefined): void;
}

export interface PlansSlice {
  readonly plan?: Plan;
  /** The cluster the plan was made for (the panel may have been edited since). */
  readonly planCluster?: Cluster;
  /** The encoded scenario the plan was made for: when the panels change, the views say the plan is older. */
  readonly planScenarioKey?: string;
  readonly alternatives: Alternatives;
  /** Why the last plan request gave no plan (infeasible, bad options). */
  readonly planFailure?: string;
  setPlan(plan: Plan | undefined, made?: { readonly cluster: Cluster; readonly scenarioKey: string }, alternatives?: Alternatives): void;
  setPlanFailure(reason: string | undefined): void;
}

export interface AppError {
  readonly id: number;
  /** What failed, e.g. "Could not open model.onnx". */
  readonly what: string;
  readonly message: string;
  /** Where: "line 3, column 7", "node /h.0/attn/MatMul". */
  readonly where?: string;
}

export type Theme = 'light' | 'dark';

/** The page's views, one per reason people open Meshplan: see a plan, compare what-ifs, sweep a variable, learn. */
export const PAGE_VIEWS = ['plan', 'compare', 'sweep', 'learn'] as const;
export type PageView = (typeof PAGE_VIEWS)[number];

export interface UiSlice {
  readonly theme: Theme;
  readonly view: PageView;
  readonly errors: readonly AppError[];
  readonly selectedStage: number;
  pushError(e: Omit<AppError, 'id'>): void;
  dismissError(id: number): void;
  setTheme(t: Theme): void;
  setView(v: PageView): void;
  selectStage(i: number): void;
}

export type AppState = ModelSlice & ClusterSlice & OptionsSlice & JobsSlice & PlansSlice & UiSlice & CompareSlice & SweepSlice & LearnSlice;
type Slice<T> = StateCreator<AppState, [], [], T>;

export const modelSlice = (initial: ModelSource): Slice<ModelSlice> => (set) => ({
  source: initial,
  warnings: [],
  setModel: (source, graph, summary, warnings) => set({ source, graph, summary, warnings }),
});

export const clusterSlice = (initial: Cluster): Slice<ClusterSlice> => (set) => ({
  cluster: initial,
  editCluster: (edit) => set((s) => ({ cluster: edit(s.cluster) })),
});

export const optionsSlice = (initial: PlanOptions): Slice<OptionsSlice> => (set) => ({
  options: initial,
  setOptions: (patch) => set((s) => ({ options: { ...s.options, ...patch } })),
});

export const jobsSlice: Slice<JobsSlice> = (set) => ({
  jobs: {},
  setJob: (kind, job) => set((s) => ({ jobs: { ...s.jobs, [kind]: job } })),
  setNotice: (notice) => set({ notice }),
});

export const plansSlice: Slice<PlansSlice> = (set) => ({
  alternatives: NO_ALTERNATIVES,
  setPlan: (plan, made, alternatives = NO_ALTERNATIVES) =>
    set({ plan, planCluster: made?.cluster, planScenarioKey: made?.scenarioKey, alternatives, planFailure: undefined, selectedStage: 0 }),
  setPlanFailure: (planFailure) => set({ planFailure }),
});

export const uiSlice = (theme: Theme, view: PageView = 'plan'): Slice<UiSlice> => (set) => ({
  theme,
  view,
  errors: [],
  selectedStage: 0,
  pushError: (e) => set((s) => ({ errors: [...s.errors, { ...e, id: (s.errors[s.errors.length - 1]?.id ?? 0) + 1 }] })),
  dismissError: (id) => set((s) => ({ errors: s.errors.filter((e) => e.id !== id) })),
  setTheme: (theme) => set({ theme }),
  setView: (view) => set({ view }),
  selectStage: (selectedStage) => set({ selectedStage }),
});

export const scenarioOf = (s: AppState): Scenario => ({ model: s.source, cluster: s.cluster, options: s.options });
