/**
 * One what-if point: Meshplan's searched plan and the baselines of the chart (best Megatron grid point, intra-op
 * only, inter-op only) for one scenario, through plan() with one solver; and the points where the searched plan's
 * structure changes along a sweep.
 */
import type { Cluster } from '../cluster/types.ts';
import type { ModelGraph } from '../ir/types.ts';
import { plan, type PlanDeps } from '../plan.ts';
import type { BaselineKind, Plan, PlanOptions } from '../inter/plan.ts';
import type { ProgressCallback } from '../progress.ts';
import type { CancelSignal } from '../progress.ts';
import { zooModel } from '../zoo/index.ts';
import { planStructure, stepFigure } from './summary.ts';
import type { Figure, PlanStructure, WhatIfModel } from './types.ts';

/** Series of a sweep: the four of the chart first; 'dp' and 'zero3' with `--series all`. */
export const CHART_SERIES = ['searched', 'megatron', 'intra-only', 'inter-only'] as const;
export const ALL_SERIES = [...CHART_SERIES, 'dp', 'zero3'] as const;
export type SeriesKind = (typeof ALL_SERIES)[number];

export type SeriesResult =
  | {
      readonly kind: SeriesKind; readonly label: string; readonly ok: true;
      /** An infeasible plan stays in, with its reason. */
      readonly feasible: boolean; readonly infeasibleReason?: string;
      readonly stepSeconds: number; readonly samplesPerSecond: number; readonly samplesPerSecondPerGpu: number;
      readonly tokensPerSecond?: number; readonly tflopsPerGpu: number; readonly modelTflopsPerGpu: number;
      readonly gpus: number; readonly structure: PlanStructure;
      /** The step time with the cost-model terms that make it up (summary.ts stepFigure): what a point's hover shows.
       * Always set by planPoint; optional so that results made before it still read. */
      readonly stepTerms?: Figure;
    }
  | { readonly kind: SeriesKind; readonly label: string; readonly ok: false; readonly reason: string };

export interface PointResult {
  readonly cluster: string;
  readonly gpus: number;
  readonly series: readonly SeriesResult[];
  /** The searched plan itself (for opening the point in the plan views), when it was planned. */
  readonly plan?: Plan;
}

const LABELS: Readonly<Record<SeriesKind, string>> = {
  searched: 'Meshplan', megatron: 'best Megatron grid point', 'intra-only': 'intra-op only', 'inter-only': 'inter-op only',
  dp: 'data parallel', zero3: 'ZeRO-3',
};

export function seriesLabel(kind: SeriesKind): string {
  return LABELS[kind];
}

/** The graph of a what-if model (zoo models are rebuilt for their sequence length). */
export function buildModel(m: WhatIfModel): ModelGraph {
  if (m.kind === 'graph') return m.graph;
  return zooModel(m.name, { ...(m.batch !== undefined ? { batch: m.batch } : {}), ...(m.seq !== undefined ? { seq: m.seq } : {}) });
}

export function seriesResult(kind: SeriesKind, p: Plan, seq: number | undefined): SeriesResult {
  const gpus = p.stages.reduce((a, s) => a + s.devices.length, 0);
  return {
    kind, label: kind === 'megatron' ? p.label : LABELS[kind], ok: true, feasible: p.feasible,
    ...(p.infeasibleReason ? { infeasibleReason: p.infeasibleReason } : {}),
    stepSeconds: p.stepSeconds, samplesPerSecond: p.samplesPerSecond, samplesPerSecondPerGpu: p.samplesPerSecond / gpus,
    ...(seq !== undefined ? { tokensPerSecond: p.samplesPerSecond * seq } : {}),
    tflopsPerGpu: p.tflopsPerGpu, modelTflopsPerGpu: p.modelTflopsPerGpu, gpus, structure: planStructure(p),
    stepTerms: stepFigure(p),
  };
}

export interface PointOptions {
  readonly series?: readonly SeriesKind[];
  readonly progress?: ProgressCallback;
  readonly signal?: CancelSignal;
}

/**
 * Plans one point: the searched plan first (its search plans every baseline as a seed and hands them back), then
 * each baseline series from those outcomes; a baseline the search did not report is planned on its own.
 */
export async function planPoint(graph: ModelGraph, cluster: Cluster, options: PlanOptions, deps: PlanDeps = {},
  opts: PointOptions = {}): Promise<PointResult> {
  const kinds = opts.series ?? CHART_SERIES;
  const { baseline: _b, dp: _dp, tp: _tp, pp: _pp, ...base } = options;
  const seq = options.seq ?? graph.seq;
  const run = (kind: SeriesKind) => {
    const o: PlanOptions = kind === 'searched' ? base : { ...base, baseline: kind as BaselineKind };
    const progress = opts.progress;
    return plan(graph, cluster, o, progress && ((p) => progress({ phase: `${LABELS[kind]}: ${p.phase}`, done: p.done, total: p.total })), opts.signal, deps);
  };
  const searched = kinds.includes('searched') ? await run('searched') : undefined;
  const seeds = searched?.ok ? searched.baselines ?? [] : [];
  const series: SeriesResult[] = [];
  for (const kind of kinds) {
    if (kind === 'searched') {
      series.push(searched!.ok ? seriesResult(kind, searched!.plan, seq) : { kind, label: LABELS[kind], ok: false, reason: searched!.reason });
      continue;
    }
    const seed = seeds.find((x) => x.kind === kind);
    if (seed) {
      series.push(seed.ok ? seriesResult(kind, seed.plan, seq) : { kind, label: LABELS[kind], ok: false, reason: seed.reason });
      continue;
    }
    const r = await run(kind);
    series.push(r.ok ? seriesResult(kind, r.plan, seq) : { kind, label: LABELS[kind], ok: false, reason: r.reason });
  }
  const gpus = cluster.nodes.reduce((a, n) => a + n.gpus, 0);
  return { cluster: cluster.name, gpus, series, ...(searched?.ok ? { plan: searched.plan } : {}) };
}

export type StructureAspect = 'stages' | 'meshes' | 'microbatches' | 'remat' | 'feasibility';

export interface StructureChange {
  /** Index of the point where the change shows (compared with the point before it). */
  readonly index: number;
  readonly value: number | string;
  readonly previousValue: number | string;
  readonly aspects: readonly StructureAspect[];
  /** In words, with both sides: '11 -> 8 stages; meshes 1x2/1x2 x6, 1x4/1x4 x5 -> 1x4/1x4 x8'. */
  readonly text: string;
}

function meshList(meshes: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < meshes.length;) {
    let j = i;
    while (j < meshes.length && meshes[j] === meshes[i]) j++;
    out.push(j - i > 1 ? `${meshes[i]} x${j - i}` : meshes[i]);
    i = j;
  }
  return out.join(', ');
}

const remats = (r: readonly boolean[]): string => `${r.filter(Boolean).length}/${r.length} stages remat`;

/** Where the searched plan's structure changes between consecutive points (points without a plan are skipped). */
export function structureChanges(points: readonly { readonly value: number | string; readonly searched?: SeriesResult }[]): StructureChange[] {
  const out: StructureChange[] = [];
  let prev: { index: number; value: number | string; r: Extract<SeriesResult, { ok: true }> } | undefined;
  points.forEach((pt, index) => {
    const r = pt.searched;
    if (!r || !r.ok) return;
    if (prev) {
      const a = prev.r.structure;
      const b = r.structure;
      const aspects: StructureAspect[] = [];
      const parts: string[] = [];
      if (a.stages !== b.stages) { aspects.push('stages'); parts.push(`${a.stages} -> ${b.stages} stages`); }
      if (a.meshes.join() !== b.meshes.join()) { aspects.push('meshes'); parts.push(`meshes ${meshList(a.meshes)} -> ${meshList(b.meshes)}`); }
      if (a.microbatches !== b.microbatches) { aspects.push('microbatches'); parts.push(`${a.microbatches} -> ${b.microbatches} micro-batches`); }
      if (a.remat.join() !== b.remat.join()) { aspects.push('remat'); parts.push(`${remats(a.remat)} -> ${remats(b.remat)}`); }
      if (prev.r.feasible !== r.feasible) { aspects.push('feasibility'); parts.push(r.feasible ? 'becomes feasible' : 'no longer fits memory'); }
      if (aspects.length) out.push({ index, value: pt.value, previousValue: prev.value, aspects, text: parts.join('; ') });
    }
    prev = { index, value: pt.value, r };
  });
  return out;
}
