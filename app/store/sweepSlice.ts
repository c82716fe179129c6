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
  | { readonly kind: 'running'; readonly phase: string; readonly done: number; readonly total: number }
  | { readonly kind: 'done'; readonly output: PointJobOutput };

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
  setSweepSetup(patch: Partial<SweepSetup>): void;
  setSweep(run: SweepRun | undefined): void;
  setSweepPoint(index: number, point: SweepPoint): void;
  setSweepChanges(changes: readonly StructureChange[]): void;
  setSweepState(state: SweepRun['state']): void;
}

export const DEFAULT_SWEEP: SweepSetup = { variable: 'nodes', valuesText: '1,2,4,8', metric: 'step' };

export const sweepSlice = (initial: SweepSetup): StateCreator<AppState, [], [], SweepSlice> => (set) => ({
  sweepSetup: initial,
  setSweepSetup: (patch) => set((s) => ({ sweepSetup: { ...s.sweepSetup, ...patch } })),
  setSweep: (sweep) => set({ sweep }),
  setSweepPoint: (index, point) => set((s) => (s.sweep ? { sweep: { ...s.sweep, points: s.sweep.points.map((p, i) => (i === index ? point : p)) } } : {})),
  setSweepChanges: (changes) => set((s) => (s.sweep ? { sweep: { ...s.sweep, changes } } : {})),
  setSweepState: (state) => set((s) => (s.sweep ? { sweep: { ...s.sweep, state } } : {})),
});
