/**
 * The sweep slice: what the user set up (variable, values as typed, the chart's metric) and the last sweep's points
 * as the core returned them. Persisted: the setup (local storage); points: none.
 */
import type { StateCreator } from 'zustand';
import type { StructureChange } from '../../workers/core/whatif/point.ts';
import type { SweepValue, SweepVariable } from '../../workers/core/whatif/sweep.ts';
import type { PointJobOutput } from '../../workers/pool/whatifJobs.ts';
import type { AppState } from './slices.ts';

/** What the chart's y axis shows: step time, or samples per second per GPU. */
export type SweepMetric = 'step' | 'throughput';

export interface SweepSetup {
  readonly variable: SweepVariable;
  /** The values as typed, comma-separated ("1,2,4,8"); checked by the core when the sweep runs. */
  readonly valuesText: string;
  readonly metric: SweepMetric;
}

export type SweepPoint =
  | { readonly kind: 'queued' }
  | { readonly kind: 'done'; readonly output: PointJobOutput };

/** A point being planned: its job's progress. Kept apart from the points so the chart re-draws only as points land. */
export interface PointProgress {
  readonly phase: string;
  readonly done: number;
  readonly total: number;
}

export interface SweepRun {
  readonly variable: SweepVariable;
  readonly values: readonly SweepValue[];
  /** The model's name, for the chart's title and file names. */
  readonly model: string;
  readonly cluster: string;
  readonly points: readonly SweepPoint[];
  readonly changes: readonly StructureChange[];
  readonly state: 'running' | 'done' | 'cancelled';
}

export interface SweepSlice {
  readonly sweepSetup: SweepSetup;
  readonly sweep?: SweepRun;
  /** Points being planned, by index. */
  readonly sweepProgress: Readonly<Record<number, PointProgress>>;
  setSweepSetup(patch: Partial<SweepSetup>): void;
  setSweep(run: SweepRun | undefined): void;
  setSweepPoint(index: number, point: SweepPoint): void;
  /** Progress of several points at once (coalesced by the client). */
  setPointsProgress(batch: ReadonlyMap<number, PointProgress>): void;
  setSweepChanges(changes: readonly StructureChange[]): void;
  setSweepState(state: SweepRun['state']): void;
}

export const DEFAULT_SWEEP: SweepSetup = { variable: 'nodes', valuesText: '1,2,4,8', metric: 'step' };

export const sweepSlice = (initial: SweepSetup): StateCreator<AppState, [], [], SweepSlice> => (set) => ({
  sweepSetup: initial,
  setSweepSetup: (patch) => set((s) => ({ sweepSetup: { ...s.sweepSetup, ...patch } })),
  sweepProgress: {},
  setSweep: (sweep) => set({ sweep, sweepProgress: {} }),
  setSweepPoint: (index, point) => set((s) => {
    if (!s.sweep) return {};
    const { [index]: _done, ...sweepProgress } = s.sweepProgress;
    return { sweep: { ...s.sweep, points: s.sweep.points.map((p, i) => (i === index ? point : p)) }, sweepProgress };
  }),
  setPointsProgress: (batch) => set((s) => (s.sweep?.state === 'running'
    ? { sweepProgress: { ...s.sweepProgress, ...Object.fromEntries([...batch].filter(([i]) => s.sweep?.points[i]?.kind !== 'done')) } }
    : {})),
  setSweepChanges: (changes) => set((s) => (s.sweep ? { sweep: { ...s.sweep, changes } } : {})),
  setSweepState: (state) => set((s) => (s.sweep ? { sweep: { ...s.sweep, state }, sweepProgress: {} } : {})),
});
