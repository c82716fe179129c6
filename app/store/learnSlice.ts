/**
 * The learn slice: what the Learn region shows for the current scenario — the three plans compared (intra-op only,
 * inter-op only, combined) and the crossover points along one knob. Results only; the knobs are the scenario's own
 * cluster and options. Persisted: nothing (results are remade when Learn opens).
 */
import type { StateCreator } from 'zustand';
import type { Crossover, LearnKind, LearnResult } from '../../workers/core/whatif/learn.ts';
import type { KnobId } from '../views/learn/knobs.ts';
import type { AppState } from './slices.ts';

/** A run in the workers: its progress, or its outcome. */
export type LearnRun =
  | { readonly kind: 'running'; readonly phase: string; readonly done: number; readonly total: number }
  | { readonly kind: 'done'; readonly result: LearnResult }
  | { readonly kind: 'failed'; readonly reason: string };

/** One knob value planned for the crossover: step seconds of each plan that fits there, or why none was made. */
export interface ProbePoint {
  readonly value: number;
  readonly steps?: Readonly<Partial<Record<LearnKind, number>>>;
  readonly reason?: string;
}

export interface LearnCrossover {
  readonly knob: KnobId;
  /** The scenario without this knob's value (see knobs.ts keyWithoutKnob): points stay valid while only it moves. */
  readonly key: string;
  readonly values: readonly number[];
  /** Points planned so far, in `values` order. */
  readonly points: readonly ProbePoint[];
  /** From the core's crossover helper once every point is planned. */
  readonly best?: readonly (LearnKind | null)[];
  readonly changes?: readonly Crossover[];
}

export interface LearnSlice {
  /** The encoded scenario the run is for, and the run. */
  readonly learnKey?: string;
  readonly learnRun?: LearnRun;
  /** The latest result and the scenario it is for: still shown (marked as updating) while the next one runs. */
  readonly learnShown?: { readonly key: string; readonly result: LearnResult };
  /** The knob whose crossover is shown (the one moved last). */
  readonly crossKnob: KnobId;
  readonly crossover?: LearnCrossover;
  setLearnRun(key: string | undefined, run: LearnRun | undefined): void;
  setCrossKnob(knob: KnobId): void;
  setCrossover(c: LearnCrossover | undefined): void;
}

export const learnSlice: StateCreator<AppState, [], [], LearnSlice> = (set) => ({
  crossKnob: 'inter-gbps',
  setLearnRun: (learnKey, learnRun) =>
    set(learnRun?.kind === 'done' && learnKey ? { learnKey, learnRun, learnShown: { key: learnKey, result: learnRun.result } } : { learnKey, learnRun }),
  setCrossKnob: (crossKnob) => set({ crossKnob }),
  setCrossover: (crossover) => set({ crossover }),
});
