/**
 * The compare slice: the scenarios side by side in the Compare region (the first is the reference the others are
 * diffed against) and their plans. Columns hold source data only (a scenario and a price); what each shows is
 * derived from its plan summary. Persisted: columns (URL and local storage, see ../compareState.ts); runs, diffs: none.
 * The sweep's state is in sweepSlice.ts.
 */
import type { StateCreator } from 'zustand';
import type { Plan } from '../../workers/core/plan/types.ts';
import type { PackedTimeline } from '../../workers/core/schedule/packedTimeline.ts';
import type { ScenarioDiff } from '../../workers/core/whatif/diff.ts';
import type { PlanSummary } from '../../workers/core/whatif/types.ts';
import type { Scenario } from '../scenario.ts';
import type { AppState } from './slices.ts';

/** A column's id: unique within the page's life, never reused after removal. */
export type ColumnId = string & { readonly __brand: 'ColumnId' };

export interface CompareColumn {
  readonly id: ColumnId;
  readonly scenario: Scenario;
  /** What one GPU costs per hour in the user's currency; undefined when not priced. */
  readonly pricePerGpuHour?: number;
}

/** A column's plan (timeline packed, plan.timeline empty) and the figures the core made of it. */
export interface ColumnOutcome {
  readonly plan: Plan;
  readonly timeline?: PackedTimeline;
  readonly summary: PlanSummary;
}

/** Per column: the planning job's progress, or its outcome. `key` is the encoded scenario it was planned for. */
export type ColumnRun =
  | { readonly kind: 'running'; readonly key: string; readonly phase: string; readonly done: number; readonly total: number }
  | { readonly kind: 'done'; readonly key: string; readonly result: ColumnOutcome }
  | { readonly kind: 'failed'; readonly key: string; readonly reason: string }
  | { readonly kind: 'cancelled'; readonly key: string };

/** Most columns side by side. */
export const MAX_COLUMNS = 4;

export interface CompareSlice {
  readonly columns: readonly CompareColumn[];
  readonly columnRuns: Readonly<Record<string, ColumnRun>>;
  /** Per column after the first: what differs from the first column (inputs, boundaries, sharding, terms). */
  readonly columnDiffs: Readonly<Record<string, ScenarioDiff>>;
  /** Ids handed out so far: the next column is `c${columnSerial + 1}`. */
  readonly columnSerial: number;
  /** Appends a column (a copy of `scenario`); ignored past MAX_COLUMNS. Returns the new id, if any. */
  addColumn(scenario: Scenario, pricePerGpuHour?: number): ColumnId | undefined;
  removeColumn(id: ColumnId): void;
  editColumn(id: ColumnId, edit: (c: CompareColumn) => CompareColumn): void;
  /** Replaces every column (with fresh ids), dropping their runs. */
  setColumns(columns: readonly Omit<CompareColumn, 'id'>[]): void;
  setColumnRun(id: ColumnId, run: ColumnRun | undefined): void;
  setColumnDiff(id: ColumnId, diff: ScenarioDiff | undefined): void;
}

const columnId = (n: number): ColumnId => `c${n}` as ColumnId;

/** Columns as kept (scenario and price, in order) get fresh ids 1..n. */
export function numberColumns(kept: readonly Omit<CompareColumn, 'id'>[]): readonly CompareColumn[] {
  return kept.map((c, i) => ({ ...c, id: columnId(i + 1) }));
}

export const compareSlice = (initial: readonly CompareColumn[]): StateCreator<AppState, [], [], CompareSlice> => (set, get) => ({
  columns: initial,
  columnRuns: {},
  columnDiffs: {},
  columnSerial: initial.length,
  addColumn: (scenario, pricePerGpuHour) => {
    const s = get();
    if (s.columns.length >= MAX_COLUMNS) return undefined;
    const id = columnId(s.columnSerial + 1);
    set({ columnSerial: s.columnSerial + 1, columns: [...s.columns, { id, scenario, ...(pricePerGpuHour !== undefined ? { pricePerGpuHour } : {}) }] });
    return id;
  },
  removeColumn: (id) => set((s) => {
    const { [id]: _dropped, ...columnRuns } = s.columnRuns;
    const { [id]: _diff, ...columnDiffs } = s.columnDiffs;
    return { columns: s.columns.filter((c) => c.id !== id), columnRuns, columnDiffs };
  }),
  editColumn: (id, edit) => set((s) => ({ columns: s.columns.map((c) => (c.id === id ? edit(c) : c)) })),
  setColumns: (kept) => set((s) => ({ columns: kept.map((c, i) => ({ ...c, id: columnId(s.columnSerial + i + 1) })), columnSerial: s.columnSerial + kept.length, columnRuns: {}, columnDiffs: {} })),
  setColumnRun: (id, run) => set((s) => {
    const { [id]: _old, ...rest } = s.columnRuns;
    return { columnRuns: run ? { ...rest, [id]: run } : rest };
  }),
  setColumnDiff: (id, diff) => set((s) => {
    const { [id]: _old, ...rest } = s.columnDiffs;
    return { columnDiffs: diff ? { ...rest, [id]: diff } : rest };
  }),
});
