/**
 * Atomic units of the inter-op pass: the smallest op groups the layer DP places boundaries between.
 * With path hints ('h.3', 'layers.3', 'block.3' segments) one unit per repeated block, plus a unit for what comes
 * before the first block (embedding) and after the last (head); without hints, consecutive runs of forward ops
 * (one op per unit up to MAX_UNITS, then chunks balanced by FLOPs). Units carry a structural hash, so that
 * identical blocks are costed once (DESIGN.md "Beyond the paper").
 */
import type { ModelGraph, Op, Tensor } from '../ir/types.ts';
import { DTYPE_BYTES } from '../ir/types.ts';
import { indexGraph, structuralHash } from '../ir/hash.ts';
import { layerIndexOf } from '../ir/layers.ts';

/** Most units a hint-less graph is cut into; the layer DP is O(K^2 L) in their number. */
export const MAX_UNITS = 256;

export interface Unit {
  readonly index: number;
  readonly name: string;
  /** Indices into graph.ops of the unit's forward ops, in topological order. */
  readonly forwardOps: readonly number[];
  /** Indices of explicit backward / update ops (explicit train-step graphs) paired with this unit. */
  readonly backwardOps: readonly number[];
  readonly forwardFlops: number;
  /** Structural hash: equal for units that differ only in names and ids. */
  readonly hash: string;
}

export interface UnitGraph {
  readonly units: readonly Unit[];
  /** Whether units come from path hints. */
  readonly hinted: boolean;
  /** unitOfOp[i]: the unit of graph.ops[i] (-1 for none). */
  readonly unitOfOp: Int32Array;
}

export function tensorBytes(t: Tensor): number {
  let n = DTYPE_BYTES[t.dtype];
  for (const d of t.shape) n *= d;
  return n;
}

function forwardIndices(graph: ModelGraph): number[] {
  const out: number[] = [];
  graph.ops.forEach((op, i) => { if (op.phase === 'forward') out.push(i); });
  return out;
}

function groupByHints(graph: ModelGraph, fwd: readonly number[]): { name: string; ops: number[] }[] | null {
  const idx = fwd.map((i) => layerIndexOf(graph.ops[i].path));
  const firstHinted = idx.findIndex((v) => v !== undefined);
  if (firstHinted < 0) return null;
  let lastHinted = idx.length - 1;
  while (idx[lastHinted] === undefined) lastHinted--;
  const groups: { name: string; ops: number[] }[] = [];
  if (firstHinted > 0) groups.push({ name: 'pre', ops: fwd.slice(0, firstHinted) });
  let current: { name: string; ops: number[] } | null = null;
  let currentLayer: number | undefined;
  for (let k = firstHinted; k <= lastHinted; k++) {
    const layer = idx[k];
    if (layer !== undefined && layer !== currentLayer) {
      current = { name: `layer ${layer}`, ops: [] };
      groups.push(current);
      currentLayer = layer;
    }
    current!.ops.push(fwd[k]);
  }
  if (lastHinted < fwd.length - 1) groups.push({ name: 'post', ops: fwd.slice(lastHinted + 1) });
  return groups;
}

function groupByFlops(graph: ModelGraph, fwd: readonly number[]): { name: string; ops: number[] }[] {
  if (fwd.length <= MAX_UNITS) return fwd.map((i) => ({ name: graph.ops[i].name || graph.ops[i].id, ops: [i] }));
  const total = fwd.reduce((s, i) => s + graph.ops[i].flops, 0);
  const target = Math.max(total / MAX_UNITS, 1);
  const groups: { name: string; ops: number[] }[] = [];
  let cur: number[] = [];
  let acc = 0;
  fwd.forEach((i, k) => {
    cur.push(i);
    acc += graph.ops[i].flops;
    const opsLeft = fwd.length - k - 1;
    const groupsLeft = MAX_UNITS - groups.length - 1;
    if ((acc >= target && groupsLeft > 0) || opsLeft <= groupsLeft) {
      groups.push({ name: `ops ${cur[0]}..${i}`, ops: cur });
      cur = [];
      acc = 0;
    }
  });
  if (cur.length) groups.push({ name: `ops ${cur[0]}..${cur[cur.length - 1]}`, ops: cur });
  return groups;
}

/** Splits a graph into units (see the module comment). Throws on a graph without forward ops (a bug upstream). */
export function buildUnits(graph: ModelGraph): UnitGraph {
  const fwd = forwardIndices(graph);
  if (fwd.length === 0) throw new Error(`buildUnits: graph '${graph.name}' has no forward ops`);
  const hinted = groupByHints(graph, fwd);
  const groups = hinted ?? groupByFlops(graph, fwd);
  const unitOfOp = new Int32Array(graph.ops.length).fill(-1);
  groups.forEach((g, u) => { for (const i of g.ops) unitOfOp[i] = u; });
  // Explicit backward/update ops follow the forward layer named by pairedPath (longest matching path prefix).
  const unitOfPath = new Map<string, number>();
  for (const i of fwd) if (!unitOfPath.has(graph.ops[i].path)) unitOfPath.set(graph.ops[i].path, unitOfOp[i]);
  const backward: number[][] = groups.map(() => []);
  graph.ops.forEach((op: Op, i) => {
    if (op.phase === 'forward') return;
    let p = op.pairedPath ?? op.path;
    let u: number | undefined;
    while (p && (u = unitOfPath.get(p)) === undefined) p = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
    const unit = u ?? groups.length - 1;
    unitOfOp[i] = unit;
    backward[unit].push(i);
  });
  const index = indexGraph(graph);
  const units = groups.map((g, u): Unit => ({
    index: u,
    name: g.name,
    forwardOps: g.ops,
    backwardOps: backward[u],
    forwardFlops: g.ops.reduce((s, i) => s + graph.ops[i].flops, 0),
    hash: structuralHash(graph, [...g.ops, ...backward[u]].map((i) => graph.ops[i].id), index),
  }));
  return { units, hinted: hinted !== null, unitOfOp };
}

/**
 * Boundary traffic between units: for each activation/input tensor produced in unit p and consumed in units > p,
 * `crossings` lists (producer unit, first consumer unit after p, last consumer unit, bytes). A tensor enters the
 * range [i, k] from before iff p < i and some consumer lies in [i, k].
 */
export interface Crossing {
  readonly producer: number;
  readonly consumers: readonly number[];
  readonly bytes: number;
}

export function unitCrossings(graph: ModelGraph, ug: UnitGraph): Crossing[] {
  const producer = new Map<string, number>();
  graph.ops.forEach((op, i) => { if (op.phase === 'forward') for (const o of op.outputs) producer.set(o, ug.unitOfOp[i]); });
  const consumers = new Map<string, Set<number>>();
  graph.ops.forEach((op, i) => {
    if (op.phase !== 'forward') return;
    const u = ug.unitOfOp[i];
    for (const t of op.inputs) {
      const p = producer.get(t);
      if (p === undefined || p >= u) continue;
      let s = consumers.get(t);
      if (!s) consumers.set(t, (s = new Set()));
      s.add(u);
    }
  });
  const byId = new Map(graph.tensors.map((t) => [t.id, t]));
  const out: Crossing[] = [];
  for (const [t, set] of consumers) {
    const tensor = byId.get(t);
    if (!tensor || tensor.kind === 'parameter' || tensor.kind === 'constant') continue;
    out.push({ producer: producer.get(t)!, consumers: [...set].sort((a, b) => a - b), bytes: tensorBytes(tensor) });
  }
  return out;
}

/** Bytes that units [start, end) receive from units before `start` (Alpa's C(i, k), §5.2 Eq. 6). */
export function inputBytesOfRange(crossings: readonly Crossing[], start: number, end: number): number {
  let bytes = 0;
  for (const c of crossings) {
    if (c.producer >= start) continue;
    if (c.consumers.some((u) => u >= start && u < end)) bytes += c.bytes;
  }
  return bytes;
}

/** Parameter tensors a unit's forward ops read, in order of first use (equal positions for equal hashes). */
export function unitParamIds(graph: ModelGraph, unit: Unit, tensors: ReadonlyMap<string, Tensor>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const i of unit.forwardOps) for (const t of graph.ops[i].inputs) {
    if (seen.has(t) || tensors.get(t)?.kind !== 'parameter') continue;
    seen.add(t);
    out.push(t);
  }
  return out;
}
