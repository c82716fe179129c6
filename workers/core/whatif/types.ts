/**
 * What-if types (Compare, Sweep, Learn): plain readonly data built from Plans and their inputs. Every number the
 * page shows is a Figure: its value and the cost-model terms that make it up (shown on hover or focus).
 */
import type { Cluster } from '../cluster/types.ts';
import type { ModelGraph } from '../ir/types.ts';
import type { PlanOptions, Stage } from '../inter/plan.ts';

export type TermUnit = 's' | 'B' | 'FLOP' | 'samples' | 'tokens' | 'GPUs' | 'USD' | 'USD/h' | 'B/s' | '1';

/** One term of the cost model behind a number: e.g. { label: 'bubble', value: 0.8, unit: 's' }. */
export interface CostTerm {
  readonly label: string;
  readonly value: number;
  readonly unit: TermUnit;
}

/** A number and how it is made: `terms` are its parts (a sum) or its operands (a ratio), as `formula` says. */
export interface Figure {
  readonly value: number;
  readonly unit: TermUnit | 'samples/s' | 'tokens/s' | 'FLOP/s' | 'USD/Mtok';
  /** How the terms combine, in words: 'sum', 'global batch / step', ... */
  readonly formula: string;
  readonly terms: readonly CostTerm[];
}

/** The inputs of one scenario as plain data (what Compare columns and sweep points are made of). */
export interface ScenarioInput {
  /** The model's name (graph.name). */
  readonly model: string;
  readonly cluster: Cluster;
  readonly options: PlanOptions;
  /** Price of one GPU for one hour, US dollars; cost figures only when given. */
  readonly pricePerGpuHour?: number;
}

/** A model the sweep can rebuild: a zoo name (sequence length can change) or a fixed graph. */
export type WhatIfModel =
  | { readonly kind: 'zoo'; readonly name: string; readonly batch?: number; readonly seq?: number }
  | { readonly kind: 'graph'; readonly graph: ModelGraph };

export interface StageSummary {
  readonly index: number;
  readonly layers: readonly [number, number];
  /** (nodes, GPUs per node) of the sub-mesh and its logical mesh, e.g. [1, 8] and [2, 4]. */
  readonly submeshShape: readonly [number, number];
  readonly logicalMesh: readonly [number, number];
  readonly gpu: string;
  readonly remat: boolean;
  /** What the stage recomputes (Stage.recompute); absent in summaries made before selective recomputation. */
  readonly recompute?: Stage['recompute'];
  readonly memoryBytesPerDevice: number;
  readonly memoryLimitBytes: number;
}

export interface PlanSummary {
  readonly label: string;
  readonly feasible: boolean;
  readonly infeasibleReason?: string;
  readonly gpus: number;
  readonly microbatches: number;
  readonly stageCount: number;
  readonly stages: readonly StageSummary[];
  readonly stepSeconds: Figure;
  readonly samplesPerSecond: Figure;
  /** When the model has a sequence length. */
  readonly tokensPerSecond?: Figure;
  readonly modelTflopsPerGpu: Figure;
  /** The paper's definition: recomputation counted. */
  readonly tflopsPerGpu: Figure;
  /** The stage with the least free memory per device. */
  readonly headroom: { readonly stage: number; readonly bytes: Figure; readonly fraction: number };
  /** With a price per GPU-hour. */
  readonly costPerStep?: Figure;
  readonly costPerMillionTokens?: Figure;
}

/** Plan structure as sweeps compare it. */
export interface PlanStructure {
  readonly stages: number;
  /** Per stage 'submesh/logical', e.g. '1x8/2x4'. */
  readonly meshes: readonly string[];
  readonly microbatches: number;
  /** Per stage. */
  readonly remat: readonly boolean[];
  /** Per stage [start, end) of the layer clustering. */
  readonly layers: readonly (readonly [number, number])[];
}
