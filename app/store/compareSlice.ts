/**
 * The compare slice: the scenarios side by side in the Compare region (the first is the reference the others are
 * diffed against) and their plans. Columns hold source data only (a scenario and a price); what each shows is
 * derived from its plan summary. Persisted: columns (URL and local storage, see ../compareState.ts); results: none.
 */
import type { StateCreator } from 'zustand';
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

/** Per column: the planning job's progress, or its outcome. */
export type ColumnRun<R = unknown> =
  | { readonly kind: 'running'; readonly phase: string; readonly done: number; readonly total: number }
  | { readonly kind: 'done'; readonly result: R }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'cancelled' };

/** Most columns side by side. */
export const MAX_COLUMNS = 4;

export interface CompareSlice {
  readonly columns: readonly CompareColumn[];
  readonly columnRuns: Readonly<Record<string, ColumnRun>>;
  /** Ids handed out so far: the next column is `c${columnSerial + 1}`. */
  readonly columnSerial: number;
  /** Appends a column (a copy of `scenario`); ignored past MAX_COLUMNS. Returns the new id, if any. */
  addColumn(scenario: Scenario, pricePerGpuHour?: number): ColumnId | undefined;
  removeColumn(id: ColumnId): void;
  editColumn(id: ColumnId, edit: (c: CompareColumn) => CompareColumn): void;
  /** Replaces every column (with fresh ids), dropping their runs. */
  setColumns(columns: readonly Omit<CompareColumn, 'id'>[]): void;
  setColumnRun(id: ColumnId, run: ColumnRun | undefined): void;
}

const columnId = (n: number): ColumnId => `c${n}` as ColumnId;

/** Columns as kept (scenario and price, in order) get fresh ids 1..n. */
export function numberColumns(kept: readonly Omit<CompareColumn, 'id'>[]): readonly CompareColumn[] {
  return kept.map((c, i) => ({ ...c, id: columnId(i + 1) }));
}

export const compareSlice = (initial: readonly CompareColumn[]): StateCreator<AppState, [], [], CompareSlice> => (set, get) => ({
  columns: initial,
  columnRuns: {},
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
    return { columns: s.columns.filter((c) => c.id !== id), columnRuns };
  }),
  editColumn: (id, edit) => set((s) => ({ columns: s.columns.map((c) => (c.id === id ? edit(c) : c)) })),
  setColumns: (kept) => set((s) => ({ columns: kept.map((c, i) => ({ ...c, id: columnId(s.columnSerial + i + 1) })), columnSerial: s.columnSerial + kept.length, columnRuns: {} })),
  setColumnRun: (id, run) => set((s) => {
    const { [id]: _old, ...rest } = s.columnRuns;
    return { columnRuns: run ? { ...rest, [id]: run } : rest };
  }),
});
