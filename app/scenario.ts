/**
 * The scenario: what the user set up (model reference, cluster, training options). Plain data; kept in local
 * storage and encoded in the share URL. Which store keys persist where:
 *
 * | key          | URL | local storage | none |
 * |--------------|-----|---------------|------|
 * | model source | yes | yes           |      |
 * | file graph   |     | yes (< 4 MB)  |      |
 * | cluster      | yes | yes           |      |
 * | options      | yes | yes           |      |
 * | theme        |     | yes           |      |
 * | plan, jobs   |     |               | yes  |
 */
import type { Cluster } from '../workers/core/cluster/types.ts';
import { clusterFromValue } from '../workers/core/cluster/validate.ts';
import { LIMITS, rangeProblem } from '../workers/core/boundary/limits.ts';
import type { PlanOptions } from '../workers/core/plan/types.ts';

/** Where the model comes from. `dims` overrides a zoo model's dimensions (built from an HF-style config); `seq` its
 * sequence length (a point of a sequence-length sweep opened in the plan views). */
export type ModelSource =
  | { readonly kind: 'zoo'; readonly name: string; readonly dims?: Readonly<Record<string, number>>; readonly seq?: number }
  | { readonly kind: 'sample'; readonly file: string }
  | { readonly kind: 'file'; readonly name: string }
  | { readonly kind: 'hf'; readonly text: string };

export interface Scenario {
  readonly model: ModelSource;
  readonly cluster: Cluster;
  readonly options: PlanOptions;
}

export const SCENARIO_VERSION = 1;

export function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  // 8 KiB of bytes per call: one string per byte made a 16,384-GPU scenario cost a long task.
  for (let i = 0; i < bytes.length; i += 8192) bin += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(s: string): string {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/** Runs of identical consecutive nodes, as the encoded cluster stores them: `[node, count]`. */
type NodeRun = readonly [Cluster['nodes'][number], number];

function nodeRunsOf(nodes: Cluster['nodes']): NodeRun[] {
  const runs: [Cluster['nodes'][number], number][] = [];
  let lastText = '';
  for (const n of nodes) {
    const text = JSON.stringify(n);
    if (runs.length && text === lastText) runs[runs.length - 1][1]++;
    else runs.push([n, 1]);
    lastText = text;
  }
  return runs;
}

/**
 * The cluster as encoded: nodes as runs of identical nodes (`nodeRuns`) when that is shorter, so a 2,048-node
 * cluster is a few dozen bytes in the link and in storage, not 60 kB.
 */
function compactCluster(c: Cluster): Record<string, unknown> {
  const runs = nodeRunsOf(c.nodes);
  if (runs.length * 2 > c.nodes.length) return { ...c };
  const { nodes: _nodes, ...rest } = c;
  return { ...rest, nodeRuns: runs };
}

/**
 * Encoded scenarios by the identities of their parts: the store keeps them immutable and asks for the current
 * scenario's key on every update (plan views' staleness, Learn, the plan job). A cache, not state: the encoding is
 * a function of the parts.
 */
const encodings = new WeakMap<object, WeakMap<object, WeakMap<object, string>>>();

export function encodeScenario(s: Scenario): string {
  let byCluster = encodings.get(s.model);
  if (!byCluster) encodings.set(s.model, (byCluster = new WeakMap()));
  let byOptions = byCluster.get(s.cluster);
  if (!byOptions) byCluster.set(s.cluster, (byOptions = new WeakMap()));
  let text = byOptions.get(s.options);
  if (text === undefined) {
    text = toBase64Url(JSON.stringify({ v: SCENARIO_VERSION, model: s.model, cluster: compactCluster(s.cluster), options: s.options }));
    byOptions.set(s.options, text);
  }
  return text;
}

/** An encoded cluster's `nodeRuns` back into nodes; a reason when they are malformed or too many. */
function expandNodeRuns(v: Record<string, unknown>): Record<string, unknown> | string {
  if (!('nodeRuns' in v)) return v;
  const runs = v.nodeRuns;
  if (!Array.isArray(runs) || !runs.every((r) => Array.isArray(r) && r.length === 2 && isObject(r[0]) && Number.isInteger(r[1]) && r[1] >= 1)) {
    return 'cluster: nodeRuns must be [node, count] pairs with counts >= 1';
  }
  const total = runs.reduce((a: number, r) => a + (r[1] as number), 0);
  const tooMany = rangeProblem('cluster nodes', total, LIMITS.nodes);
  if (tooMany) return `cluster: ${tooMany}`;
  const { nodeRuns: _runs, ...rest } = v;
  return { ...rest, nodes: runs.flatMap(([node, count]) => Array.from({ length: count as number }, () => node)) };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkSource(v: unknown): ModelSource | undefined {
  if (!isObject(v)) return undefined;
  if (v.kind === 'zoo' && typeof v.name === 'string') {
    const dims = isObject(v.dims) && Object.values(v.dims).every((d) => typeof d === 'number' && Number.isFinite(d)) ? (v.dims as Record<string, number>) : undefined;
    const seq = typeof v.seq === 'number' && rangeProblem('seq', v.seq, LIMITS.seq) === undefined ? { seq: v.seq } : {};
    return dims ? { kind: 'zoo', name: v.name, dims, ...seq } : { kind: 'zoo', name: v.name, ...seq };
  }
  if (v.kind === 'sample' && typeof v.file === 'string') return { kind: 'sample', file: v.file };
  if (v.kind === 'file' && typeof v.name === 'string') return { kind: 'file', name: v.name };
  if (v.kind === 'hf' && typeof v.text === 'string') return { kind: 'hf', text: v.text };
  return undefined;
}

function checkCluster(v: unknown): Cluster | undefined {
  if (!isObject(v) || typeof v.name !== 'string' || !Array.isArray(v.nodes) || !isObject(v.intraNode) || !isObject(v.interNode)) return undefined;
  const nodesOk = v.nodes.every((n) => isObject(n) && typeof n.gpu === 'string' && typeof n.gpus === 'number');
  return nodesOk ? (v as unknown as Cluster) : undefined;
}

function checkOptions(v: unknown): PlanOptions | undefined {
  if (!isObject(v) || (v.mode !== 'train' && v.mode !== 'infer') || typeof v.globalBatch !== 'number') return undefined;
  return v as unknown as PlanOptions;
}

export type DecodedScenario = { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly reason: string };

/**
 * A scenario from its encoded form (share URL fragment or stored text), checked as the CLI checks its inputs: the
 * cluster by core/cluster/validate.ts, the batch by its range; the reason names what is wrong.
 */
export function decodeScenarioChecked(encoded: string): DecodedScenario {
  let raw: unknown;
  try {
    raw = JSON.parse(fromBase64Url(encoded));
  } catch {
    return { ok: false, reason: 'the link is damaged (not base64url-encoded JSON)' };
  }
  if (!isObject(raw) || raw.v !== SCENARIO_VERSION) return { ok: false, reason: `the link is not a Meshplan scenario of version ${SCENARIO_VERSION}` };
  return scenarioFromObjectChecked(raw);
}

/** A scenario from parsed JSON, its model, cluster and options checked; the reason names what is wrong. */
export function scenarioFromObjectChecked(raw: unknown): DecodedScenario {
  if (!isObject(raw)) return { ok: false, reason: 'not a scenario object' };
  const model = checkSource(raw.model), options = checkOptions(raw.options);
  if (!model) return { ok: false, reason: 'model: not a zoo name, sample, file or HF config' };
  const expanded = isObject(raw.cluster) ? expandNodeRuns(raw.cluster) : raw.cluster;
  if (typeof expanded === 'string') return { ok: false, reason: expanded };
  if (!checkCluster(expanded)) return { ok: false, reason: 'cluster: needs name, nodes, intraNode and interNode' };
  const cluster = clusterFromValue(expanded);
  if (!cluster.ok) return { ok: false, reason: `cluster: ${cluster.message}` };
  if (!options) return { ok: false, reason: 'options: needs mode (train or infer) and globalBatch' };
  const batch = rangeProblem('options.globalBatch', options.globalBatch, LIMITS.globalBatch);
  if (batch) return { ok: false, reason: batch };
  return { ok: true, scenario: { model, cluster: cluster.cluster, options } };
}

/** A scenario from parsed JSON (its model, cluster and options checked); undefined for anything malformed. */
export function scenarioFromObject(raw: unknown): Scenario | undefined {
  const r = scenarioFromObjectChecked(raw);
  return r.ok ? r.scenario : undefined;
}

/** A scenario from its encoded form; undefined for anything malformed or out of range. */
export function decodeScenario(encoded: string): Scenario | undefined {
  const r = decodeScenarioChecked(encoded);
  return r.ok ? r.scenario : undefined;
}

/** The share URL of a scenario: the page's address with the scenario in the fragment (never sent to a server).
 * `extra` adds more `key=value` parts to the fragment (the compared scenarios: see compareState.ts). */
export function shareUrl(pageUrl: string, s: Scenario, extra: Readonly<Record<string, string>> = {}): string {
  const u = new URL(pageUrl);
  u.hash = [`s=${encodeScenario(s)}`, ...Object.entries(extra).map(([k, v]) => `${k}=${v}`)].join('&');
  return u.toString();
}

/** The encoded scenario in a URL fragment: undefined when there is none, else the scenario or why not. */
export function scenarioFromHashChecked(hash: string): DecodedScenario | undefined {
  const m = /(?:^#|&)s=([^&]*)/.exec(hash);
  if (!m) return undefined;
  return /^[A-Za-z0-9_-]+$/.test(m[1]) ? decodeScenarioChecked(m[1]) : { ok: false, reason: 'the link is damaged (characters outside base64url)' };
}

/** The encoded scenario in a URL fragment, if any and valid. */
export function scenarioFromHash(hash: string): Scenario | undefined {
  const r = scenarioFromHashChecked(hash);
  return r?.ok ? r.scenario : undefined;
}

/** Short human name of a model source. */
export function sourceLabel(m: ModelSource): string {
  switch (m.kind) {
    case 'zoo': return `${m.dims ? `${m.name} (custom)` : m.name}${m.seq !== undefined ? ` (seq ${m.seq})` : ''}`;
    case 'sample': return m.file;
    case 'file': return m.name;
    case 'hf': return 'HF config';
  }
}
