/**
 * Guided examples: the paper's three model families (GPT, MoE, Wide-ResNet) on its p3.16xlarge testbed, and one
 * Llama on DGX H100s. Each is a scenario the user opens (and may then change) and a short text built from the
 * numbers Learn shows for the scenario as it is now: no figure in the text is fixed, and every claim is chosen by
 * those numbers (who wins, whether there is a pipeline, how much crosses nodes).
 */
import { CLUSTER_PRESETS, presetCluster } from '../../../workers/core/cluster/presets.ts';
import type { Cluster } from '../../../workers/core/cluster/types.ts';
import type { LearnKind, LearnResult } from '../../../workers/core/whatif/learn.ts';
import { formatBytes, formatPercent, formatSeconds, sig3 } from '../../format.ts';
import { inNodeShare, KIND_LABELS, rowOf, type OkRow } from './figures.ts';

export interface LearnExample {
  readonly id: 'gpt' | 'moe' | 'wresnet' | 'llama';
  readonly family: string;
  /** Zoo model name. */
  readonly model: string;
  readonly preset: string;
  readonly nodes: number;
  readonly gpusPerNode: number;
  /** What the example is about, without numbers (those come from the result). */
  readonly lead: string;
}

export const LEARN_EXAMPLES: readonly LearnExample[] = [
  { id: 'gpt', family: 'GPT', model: 'gpt-39B', preset: 'p3.16xlarge', nodes: 8, gpusPerNode: 8,
    lead: 'A 39-billion-parameter GPT on the paper\'s 64 V100s, 8 per node on NVLink, nodes joined by 25 Gbit/s Ethernet.' },
  { id: 'moe', family: 'MoE', model: 'moe-27B', preset: 'p3.16xlarge', nodes: 4, gpusPerNode: 8,
    lead: 'A mixture-of-experts model on 32 V100s: its experts are spread over GPUs and tokens travel to them by all-to-all.' },
  { id: 'wresnet', family: 'Wide-ResNet', model: 'wresnet-6.8B', preset: 'p3.16xlarge', nodes: 4, gpusPerNode: 8,
    lead: 'A wide ResNet on 32 V100s: early layers carry big activations and few weights, late layers the reverse, so no single sharding suits every layer.' },
  { id: 'llama', family: 'Llama', model: 'llama-7B', preset: 'dgx-h100', nodes: 2, gpusPerNode: 8,
    lead: 'Llama 7B on two DGX H100s: 80 GB GPUs and 8 x 400 Gbit/s InfiniBand per node, far from the paper\'s slow links.' },
];

export function exampleCluster(e: LearnExample): Cluster {
  return presetCluster(CLUSTER_PRESETS[e.preset], e.nodes, e.gpusPerNode);
}

const ok = (r: LearnResult, k: LearnKind): OkRow | undefined => {
  const row = rowOf(r, k);
  return row && row.ok ? row : undefined;
};

/** "moves 1.2 TiB across nodes per step (34.5 s of transfers)" */
function crossing(row: OkRow): string {
  return `moves ${formatBytes(row.traffic.crossNode.bytes)} across nodes per step (${formatSeconds(row.traffic.crossNode.seconds)} of transfers)`;
}

function winnerText(r: LearnResult): string {
  if (!r.winner) return 'No strategy fits this cluster.';
  const best = ok(r, r.winner);
  const tied = r.ties.map((k) => KIND_LABELS[k]);
  const who = [KIND_LABELS[r.winner], ...tied].join(' and ');
  const text = `${who} ${tied.length ? 'tie' : 'is fastest'} at ${best ? formatSeconds(best.stepSeconds.value) : '?'} per step.`;
  return text[0].toUpperCase() + text.slice(1);
}

/** What a row's structure says about where it puts parallelism. */
function shapeText(row: OkRow): string {
  if (row.stages === 1) return `keeps the whole model in one stage on a ${row.plan.stages[0].logicalMesh.join('x')} mesh`;
  const meshes = [...new Set(row.plan.stages.map((s) => s.logicalMesh.join('x')))];
  return `cuts the model into ${row.stages} pipeline stages (meshes ${meshes.join(', ')})`;
}

/** The text of an example from the numbers Learn shows now. */
export function exampleText(e: LearnExample, r: LearnResult): string {
  const intra = ok(r, 'intra-only');
  const inter = ok(r, 'inter-only');
  const both = ok(r, 'combined');
  const parts: string[] = [e.lead];
  if (intra) {
    const ratio = both ? intra.stepSeconds.value / both.stepSeconds.value : undefined;
    parts.push(`Intra-op only shards every layer over all GPUs and ${crossing(intra)}` +
      (ratio !== undefined && ratio > 1.02 ? `; its step is ${sig3(ratio)}x the combined plan's.` : '.'));
  } else {
    const row = rowOf(r, 'intra-only');
    if (row && !row.ok) parts.push(`Intra-op only finds no plan: ${row.reason}.`);
  }
  if (inter) {
    parts.push(`Inter-op only ${shapeText(inter)}, idling ${formatPercent(inter.bubbleFraction.value)} of the step in the pipeline bubble` +
      (e.id === 'moe' ? ' and replicating every expert within a stage.' : '.'));
  } else {
    const row = rowOf(r, 'inter-only');
    if (row && !row.ok) parts.push(`Inter-op only finds no plan: ${row.reason}.`);
  }
  if (both) {
    parts.push(`The combined plan ${shapeText(both)}; ${formatPercent(inNodeShare(both))} of its communication bytes stay inside nodes and it ${crossing(both)}.`);
  }
  parts.push(winnerText(r));
  return parts.join(' ');
}

/** The example whose model the scenario has (the user may have changed its cluster since opening it). */
export function exampleFor(modelName: string | undefined): LearnExample | undefined {
  return LEARN_EXAMPLES.find((e) => e.model === modelName);
}
