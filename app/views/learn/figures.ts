/**
 * Learn's numbers as the page shows them: each a figure from the core (value, formula, terms); the traffic sides
 * are split into their bytes and their seconds. Labels only; every value is the planner's.
 */
import type { LearnKind, LearnResult, LearnRow } from '../../../workers/core/whatif/learn.ts';
import type { TrafficSide } from '../../../workers/core/whatif/traffic.ts';
import type { ExplainedFigure } from '../../components/Explained.tsx';

export const KIND_LABELS: Readonly<Record<LearnKind, string>> = {
  'intra-only': 'intra-op only',
  'inter-only': 'inter-op only',
  combined: 'combined (Meshplan)',
};

/** Columns left to right: the two halves of the argument, then the plan that uses both. */
export const COLUMN_ORDER: readonly LearnKind[] = ['intra-only', 'inter-only', 'combined'];

export function trafficFigures(side: TrafficSide, where: string): { readonly bytes: ExplainedFigure; readonly seconds: ExplainedFigure } {
  const strip = (label: string) => label.replace(/ \((bytes|seconds)\)$/, '');
  return {
    bytes: {
      value: side.bytes, unit: 'B', formula: `sum of the bytes all devices send ${where} per step`,
      terms: side.terms.filter((t) => t.unit === 'B').map((t) => ({ ...t, label: strip(t.label) })),
    },
    seconds: {
      value: side.seconds, unit: 's', formula: `sum of the priced calls ${where} per step (not all on the critical path)`,
      terms: side.terms.filter((t) => t.unit === 's').map((t) => ({ ...t, label: strip(t.label) })),
    },
  };
}

export type OkRow = Extract<LearnRow, { ok: true }>;

export function rowOf(r: LearnResult, kind: LearnKind): LearnRow | undefined {
  return r.rows.find((x) => x.kind === kind);
}

/** The share of a plan's communication bytes that stays inside nodes (0..1), for the bars and the examples' text. */
export function inNodeShare(row: OkRow): number {
  const total = row.traffic.crossNode.bytes + row.traffic.inNode.bytes;
  return total > 0 ? row.traffic.inNode.bytes / total : 1;
}

/** Stages and their meshes in a few words: "1 stage on 8x8", "15 stages (1x4 x14, 1x8)". */
export function structureText(row: OkRow): string {
  const meshes = row.plan.stages.map((s) => s.logicalMesh.join('x'));
  const counts = new Map<string, number>();
  for (const m of meshes) counts.set(m, (counts.get(m) ?? 0) + 1);
  const list = [...counts].map(([m, n]) => (n > 1 ? `${m} ×${n}` : m)).join(', ');
  return row.stages === 1 ? `1 stage on a ${list} mesh` : `${row.stages} stages (${list}), ${row.microbatches} micro-batches`;
}

/** One colour per strategy, in the knobs' crossover marks and the crossover chart. */
export const KIND_COLORS: Readonly<Record<LearnKind, string>> = {
  'intra-only': '#b07aa1',
  'inter-only': '#59a14f',
  combined: '#4f46e5',
};
