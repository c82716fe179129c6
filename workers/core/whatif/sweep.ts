/**
 * Sweep variables: their names, parsing `name=v1,v2,...`, checking every value against the scenario (messages name
 * the value), and applying one value to a scenario. Planning the points is in point.ts.
 */
import { CLUSTER_PRESETS, GPU_PRESETS } from '../cluster/presets.ts';
import { validateCluster } from '../cluster/spec.ts';
import type { Cluster, Link } from '../cluster/types.ts';
import type { PlanOptions } from '../inter/plan.ts';
import type { WhatIfModel } from './types.ts';

export const SWEEP_VARIABLES = ['nodes', 'gpus-per-node', 'inter-gbps', 'intra-gbps', 'gpu', 'batch', 'microbatches', 'seq'] as const;
export type SweepVariable = (typeof SWEEP_VARIABLES)[number];

/** What each variable means, for labels and help. Bandwidths are Gbit/s of the link's bus bandwidth. */
export const SWEEP_VARIABLE_LABELS: Readonly<Record<SweepVariable, string>> = {
  nodes: 'nodes',
  'gpus-per-node': 'GPUs per node',
  'inter-gbps': 'inter-node bandwidth (Gbit/s)',
  'intra-gbps': 'intra-node bandwidth (Gbit/s)',
  gpu: 'GPU type',
  batch: 'global batch',
  microbatches: 'micro-batches',
  seq: 'sequence length',
};

export const MAX_SWEEP_POINTS = 64;

export type SweepValue = number | string;

export interface SweepSpec {
  readonly variable: SweepVariable;
  readonly values: readonly SweepValue[];
}

/** The scenario a sweep varies. */
export interface SweepScenario {
  readonly model: WhatIfModel;
  readonly cluster: Cluster;
  readonly options: PlanOptions;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export const isSweepVariable = (v: string): v is SweepVariable => (SWEEP_VARIABLES as readonly string[]).includes(v);

/** `name=v1,v2,...` -> a spec, or a message naming what is wrong (unknown variable, a value that is not a number). */
export function parseSweep(text: string): Checked<SweepSpec> {
  const eq = text.indexOf('=');
  if (eq < 0) return { ok: false, reason: `--vary '${text}': expected <variable>=<v1>,<v2>,... (variables: ${SWEEP_VARIABLES.join(', ')})` };
  const variable = text.slice(0, eq).trim();
  if (!isSweepVariable(variable)) return { ok: false, reason: `unknown sweep variable '${variable}' (variables: ${SWEEP_VARIABLES.join(', ')})` };
  const raw = text.slice(eq + 1).split(',').map((v) => v.trim());
  if (raw.length === 0 || raw.some((v) => v === '')) return { ok: false, reason: `${variable}: empty value in '${text.slice(eq + 1)}'` };
  if (variable === 'gpu') return checkCount({ variable, values: raw });
  const values: number[] = [];
  for (const v of raw) {
    const n = Number(v);
    if (!Number.isFinite(n)) return { ok: false, reason: `${variable}=${v}: not a number` };
    values.push(n);
  }
  return checkCount({ variable, values });
}

function checkCount(spec: SweepSpec): Checked<SweepSpec> {
  if (spec.values.length > MAX_SWEEP_POINTS) {
    return { ok: false, reason: `a sweep of ${spec.values.length} points (${spec.variable}=${spec.values[0]}..${spec.values[spec.values.length - 1]}): at most ${MAX_SWEEP_POINTS}` };
  }
  return { ok: true, value: spec };
}

/** The NVLink of a GPU type: the link of a preset built on it, else the GPU's own figure on the current link. */
function nvlinkOf(gpu: string, current: Link): Link {
  const preset = Object.values(CLUSTER_PRESETS).find((p) => p.gpu === gpu);
  if (preset) return preset.intraNode;
  const spec = GPU_PRESETS[gpu];
  return spec ? { ...current, bandwidthBytesPerSecond: spec.intraNodeBandwidthBytesPerSecond } : current;
}

function renamed(c: Cluster, nodes: Cluster['nodes']): Cluster {
  const prefix = c.name.split(/[:+]/)[0] || 'custom';
  const first = nodes[0];
  const same = first && nodes.every((n) => n.gpu === first.gpu && n.gpus === first.gpus);
  return { ...c, nodes, name: same ? `${prefix}:${nodes.length}x${first.gpus}` : nodes.map((n) => `${n.gpu}x${n.gpus}`).join('+') };
}

const positiveInt = (variable: string, v: SweepValue): string | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 ? undefined : `${variable}=${v}: must be a positive integer`;

/** The scenario at one value, or why that value cannot be planned (naming it). */
export function applySweepValue(s: SweepScenario, variable: SweepVariable, value: SweepValue): Checked<SweepScenario> {
  const bad = (reason: string): Checked<SweepScenario> => ({ ok: false, reason });
  const c = s.cluster;
  let next: SweepScenario;
  switch (variable) {
    case 'nodes': {
      if (value === 0) return bad('nodes=0: a cluster needs at least 1 node');
      const e = positiveInt(variable, value);
      if (e) return bad(e);
      const kinds = new Set(c.nodes.map((n) => `${n.gpu}x${n.gpus}`));
      if (kinds.size > 1) return bad(`nodes=${value}: the cluster mixes node types (${[...kinds].join(', ')}); sweep nodes on a homogeneous cluster`);
      const node = c.nodes[0];
      next = { ...s, cluster: renamed(c, Array.from({ length: value as number }, () => ({ ...node }))) };
      break;
    }
    case 'gpus-per-node': {
      if (value === 0) return bad('gpus-per-node=0: a node needs at least 1 GPU');
      const e = positiveInt(variable, value);
      if (e) return bad(e);
      next = { ...s, cluster: renamed(c, c.nodes.map((n) => ({ ...n, gpus: value as number }))) };
      break;
    }
    case 'inter-gbps':
    case 'intra-gbps': {
      if (typeof value !== 'number' || !(value > 0)) return bad(`${variable}=${value}: bandwidth must be positive`);
      const bytesPerSecond = (value * 1e9) / 8;
      next = variable === 'inter-gbps'
        ? { ...s, cluster: { ...c, interNode: { ...c.interNode, bandwidthBytesPerSecond: bytesPerSecond } } }
        : { ...s, cluster: { ...c, intraNode: { ...c.intraNode, bandwidthBytesPerSecond: bytesPerSecond }, nodes: c.nodes.map(({ intraNode: _d, ...n }) => n) } };
      break;
    }
    case 'gpu': {
      const gpu = String(value);
      if (!GPU_PRESETS[gpu] && !c.gpuSpecs?.[gpu]) return bad(`gpu=${gpu}: unknown GPU type (known: ${Object.keys(GPU_PRESETS).join(', ')})`);
      const nodes = c.nodes.map(({ intraNode: _d, ...n }) => ({ ...n, gpu }));
      next = { ...s, cluster: { ...renamed(c, nodes), intraNode: nvlinkOf(gpu, c.intraNode) } };
      break;
    }
    case 'batch': {
      const e = positiveInt(variable, value);
      if (e) return bad(e);
      const B = s.options.microbatches;
      if (B !== 'auto' && (value as number) % B !== 0) return bad(`batch=${value}: the ${B} micro-batches must divide the global batch`);
      next = { ...s, options: { ...s.options, globalBatch: value as number } };
      break;
    }
    case 'microbatches': {
      const e = positiveInt(variable, value);
      if (e) return bad(e);
      if (s.options.globalBatch % (value as number) !== 0) return bad(`microbatches=${value}: must divide the global batch ${s.options.globalBatch}`);
      next = { ...s, options: { ...s.options, microbatches: value as number } };
      break;
    }
    case 'seq': {
      const e = positiveInt(variable, value);
      if (e) return bad(e);
      if (s.model.kind !== 'zoo') return bad(`seq=${value}: ${s.model.graph.name} is a fixed graph (imported); only zoo models can change sequence length`);
      next = { ...s, model: { ...s.model, seq: value as number }, options: { ...s.options, seq: value as number } };
      break;
    }
  }
  const problems = validateCluster(next.cluster);
  if (problems.length) return bad(`${variable}=${value}: ${problems.join('; ')}`);
  return { ok: true, value: next };
}

/** Every value of a sweep applied, or the first value's problem (naming it). */
export function checkSweep(s: SweepScenario, spec: SweepSpec): Checked<readonly SweepScenario[]> {
  const counted = checkCount(spec);
  if (!counted.ok) return counted;
  const out: SweepScenario[] = [];
  for (const v of spec.values) {
    const r = applySweepValue(s, spec.variable, v);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: out };
}
