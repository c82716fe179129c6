/**
 * Learn: intra-op only, inter-op only and the combined (searched) plan for one model and cluster, with where their
 * communication goes, their bubbles and memory, and a sentence generated from those numbers saying which wins and
 * why (or that another wins or ties). `crossover` finds where the best of the three changes along a knob.
 */
import type { Cluster } from '../cluster/types.ts';
import type { ModelGraph } from '../ir/types.ts';
import { plan, type PlanDeps } from '../plan.ts';
import type { Plan, PlanOptions } from '../inter/plan.ts';
import type { CancelSignal, ProgressCallback } from '../progress.ts';
import { stepFigure } from './summary.ts';
import { planTraffic, type PlanTraffic } from './traffic.ts';
import type { Figure } from './types.ts';

export const LEARN_KINDS = ['combined', 'intra-only', 'inter-only'] as const;
export type LearnKind = (typeof LEARN_KINDS)[number];

/** Within this fraction of the best step time, plans tie. */
export const TIE_FRACTION = 0.02;

const NAMES: Readonly<Record<LearnKind, string>> = { combined: 'the combined plan', 'intra-only': 'intra-op only', 'inter-only': 'inter-op only' };

export type LearnRow =
  | {
      readonly kind: LearnKind; readonly ok: true; readonly feasible: boolean; readonly infeasibleReason?: string;
      readonly stepSeconds: Figure; readonly bubbleFraction: Figure; readonly memoryPerDevice: Figure;
      readonly traffic: PlanTraffic; readonly stages: number; readonly microbatches: number;
      readonly tflopsPerGpu: number; readonly plan: Plan;
    }
  | { readonly kind: LearnKind; readonly ok: false; readonly reason: string };

type OkRow = Extract<LearnRow, { ok: true }>;

export type LearnReasonKind = 'cross-node communication' | 'pipeline bubble' | 'compute' | 'in-node communication' | 'memory' | 'no plan';

export interface LearnReason {
  readonly kind: LearnKind;
  /** Why this plan is slower than the winner, by the term that differs most. */
  readonly reason: LearnReasonKind;
  readonly text: string;
}

export interface LearnResult {
  readonly rows: readonly LearnRow[];
  /** Fastest feasible plan; null when none fits. */
  readonly winner: LearnKind | null;
  /** Plans within TIE_FRACTION of the winner's step. */
  readonly ties: readonly LearnKind[];
  readonly reasons: readonly LearnReason[];
  readonly sentence: string;
}

const s3 = (x: number): string => (Math.abs(x) >= 1000 ? x.toFixed(0) : String(Number(x.toPrecision(3))));
/** Bytes in binary units, as the page writes them next to the sentence (35.8 TiB, 224 GiB, not 39353 GB). */
const gb = (b: number): string => (b >= 2 ** 40 ? `${s3(b / 2 ** 40)} TiB` : `${s3(b / 2 ** 30)} GiB`);
const pct = (f: number): string => `${(100 * f).toFixed(0)}%`;
const capital = (t: string): string => t[0].toUpperCase() + t.slice(1);

export function learnRow(kind: LearnKind, p: Plan): OkRow {
  const memory = Math.max(...p.stages.map((s) => s.requiredBytesPerDevice ?? s.memoryBytesPerDevice));
  return {
    kind, ok: true, feasible: p.feasible, ...(p.infeasibleReason ? { infeasibleReason: p.infeasibleReason } : {}),
    stepSeconds: stepFigure(p),
    bubbleFraction: {
      value: p.stepSeconds > 0 ? p.breakdown.bubbleSeconds / p.stepSeconds : 0, unit: '1', formula: 'bubble / step',
      terms: [{ label: 'pipeline bubble', value: p.breakdown.bubbleSeconds, unit: 's' }, { label: 'step', value: p.stepSeconds, unit: 's' }],
    },
    memoryPerDevice: {
      value: memory, unit: 'B', formula: 'largest stage',
      terms: p.stages.map((s) => ({ label: `stage ${s.index} (${s.devices.length} GPUs)`, value: s.requiredBytesPerDevice ?? s.memoryBytesPerDevice, unit: 'B' as const })),
    },
    traffic: planTraffic(p), stages: p.stages.length, microbatches: p.microbatches, tflopsPerGpu: p.tflopsPerGpu, plan: p,
  };
}

/** Why `loser` is slower than `winner`: the term that grew most, in numbers. */
export function whySlower(loser: LearnRow, winner: OkRow, cluster: Cluster): LearnReason {
  if (!loser.ok) return { kind: loser.kind, reason: 'no plan', text: `${NAMES[loser.kind]} has no plan (${loser.reason})` };
  if (!loser.feasible) return { kind: loser.kind, reason: 'memory', text: `${NAMES[loser.kind]} does not fit in memory (${loser.infeasibleReason ?? 'over the limit'})` };
  const L = loser.plan.breakdown;
  const W = winner.plan.breakdown;
  const gbit = s3((cluster.interNode.bandwidthBytesPerSecond * 8) / 1e9);
  const candidates: { reason: LearnReasonKind; delta: number; text: string }[] = [
    {
      reason: 'cross-node communication', delta: loser.traffic.crossNode.seconds - winner.traffic.crossNode.seconds,
      text: `its communication across nodes takes ${s3(loser.traffic.crossNode.seconds)} s per step (${gb(loser.traffic.crossNode.bytes)} over the ${gbit} Gbit/s inter-node links) against ${s3(winner.traffic.crossNode.seconds)} s (${gb(winner.traffic.crossNode.bytes)}) for ${NAMES[winner.kind]}`,
    },
    {
      reason: 'pipeline bubble', delta: L.bubbleSeconds - W.bubbleSeconds,
      text: `its pipeline idles ${pct(loser.bubbleFraction.value)} of the step (${s3(L.bubbleSeconds)} s of bubble) against ${pct(winner.bubbleFraction.value)} for ${NAMES[winner.kind]}`,
    },
    {
      reason: 'compute', delta: L.computeSeconds - W.computeSeconds,
      text: `each stage computes ${s3(L.computeSeconds)} s per step against ${s3(W.computeSeconds)} s for ${NAMES[winner.kind]}${loser.plan.stages.some((s) => s.remat) ? ' (it recomputes activations to fit memory)' : ''}`,
    },
    {
      reason: 'in-node communication', delta: loser.traffic.inNode.seconds - winner.traffic.inNode.seconds,
      text: `its collectives inside nodes take ${s3(loser.traffic.inNode.seconds)} s per step against ${s3(winner.traffic.inNode.seconds)} s for ${NAMES[winner.kind]}`,
    },
  ];
  const top = candidates.reduce((a, c) => (c.delta > a.delta ? c : a));
  return { kind: loser.kind, reason: top.reason, text: top.text };
}

function slower(row: OkRow, best: OkRow): string {
  return `${s3(row.stepSeconds.value / best.stepSeconds.value)}x slower (${s3(row.stepSeconds.value)} s per step)`;
}

export function learnFromRows(rows: readonly LearnRow[], cluster: Cluster): LearnResult {
  const fits = rows.filter((r): r is OkRow => r.ok && r.feasible);
  if (!fits.length) {
    return { rows, winner: null, ties: [], reasons: [], sentence: `No plan fits this cluster: ${rows.map((r) => `${NAMES[r.kind]}: ${r.ok ? r.infeasibleReason : r.reason}`).join('; ')}.` };
  }
  const best = fits.reduce((a, r) => (r.stepSeconds.value < a.stepSeconds.value ? r : a));
  const ties = fits.filter((r) => r !== best && r.stepSeconds.value <= best.stepSeconds.value * (1 + TIE_FRACTION)).map((r) => r.kind);
  const losers = rows.filter((r) => r.kind !== best.kind && !ties.includes(r.kind));
  const reasons = losers.map((r) => whySlower(r, best, cluster));
  const because = reasons.map((x) => {
    const row = rows.find((r) => r.kind === x.kind)!;
    return capital(row.ok && row.feasible ? `${NAMES[x.kind]} is ${slower(row, best)}: ${x.text}` : x.text);
  });
  // The search is seeded with the baselines' plans: where one of them is the best plan, the combined plan is it.
  const same = ties.filter((k) => rows.some((r) => r.kind === k && r.ok && r.stepSeconds.value <= best.stepSeconds.value * (1 + 1e-9)));
  const near = ties.filter((k) => !same.includes(k));
  const at = (r: OkRow): string => `${s3(r.stepSeconds.value)} s per step`;
  const head = best.kind === 'combined' && same.length
    ? `The combined plan is ${NAMES[same[0]]}'s own layout here (${at(best)}): no mix of intra- and inter-operator parallelism the search tried is faster`
    : best.kind === 'combined'
      ? `The combined plan wins here (${at(best)})`
      : `${capital(NAMES[best.kind])} is the fastest here (${at(best)})` +
        (rows.some((r) => r.kind === 'combined' && r.ok && r.feasible) && !ties.includes('combined') ? ', not the combined plan' : '');
  const tie = near.length
    ? `; ${near.map((k) => `${NAMES[k]} (${at(fits.find((r) => r.kind === k)!)})`).join(' and ')} ${near.length > 1 ? 'tie' : 'ties'} with it (within ${pct(TIE_FRACTION)})`
    : '';
  return { rows, winner: best.kind, ties, reasons, sentence: `${head}${tie}${because.length ? '. ' + because.join('. ') : ''}.` };
}

/** Plans the three (searched = combined, and the two baselines) and compares them. */
export async function runLearn(graph: ModelGraph, cluster: Cluster, options: PlanOptions, deps: PlanDeps = {},
  progress?: ProgressCallback, signal?: CancelSignal): Promise<LearnResult> {
  const { baseline: _b, dp: _dp, tp: _tp, pp: _pp, ...base } = options;
  const rows: LearnRow[] = [];
  for (const kind of LEARN_KINDS) {
    const o: PlanOptions = kind === 'combined' ? base : { ...base, baseline: kind };
    const r = await plan(graph, cluster, o, progress && ((p) => progress({ ...p, phase: `${NAMES[kind]}: ${p.phase}` })), signal, deps);
    rows.push(r.ok ? learnRow(kind, r.plan) : { kind, ok: false, reason: r.reason });
  }
  return learnFromRows(rows, cluster);
}

export interface CrossoverPoint {
  readonly value: number | string;
  /** Step seconds of each plan that fits at this value. */
  readonly steps: Readonly<Partial<Record<LearnKind, number>>>;
}

export interface Crossover {
  readonly index: number;
  readonly value: number | string;
  readonly previousValue: number | string;
  readonly from: LearnKind;
  readonly to: LearnKind;
}

/** The fastest plan at each point, and where it changes between consecutive points. */
export function crossover(points: readonly CrossoverPoint[]): { readonly best: readonly (LearnKind | null)[]; readonly changes: readonly Crossover[] } {
  const best = points.map((p) => {
    const entries = LEARN_KINDS.filter((k) => p.steps[k] !== undefined && Number.isFinite(p.steps[k]));
    return entries.length ? entries.reduce((a, k) => (p.steps[k]! < p.steps[a]! ? k : a)) : null;
  });
  const changes: Crossover[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = best[i - 1];
    const b = best[i];
    if (a && b && a !== b) changes.push({ index: i, value: points[i].value, previousValue: points[i - 1].value, from: a, to: b });
  }
  return { best, changes };
}
