/**
 * Layer construction (alpa.md §2; paper §5.2 Eq. 6): cluster the units (unit.ts) into L layers of consecutive
 * units that balance forward FLOPs (each layer <= (1 + eps) * total / L) and minimise the largest number of bytes
 * any layer receives from earlier layers:
 *   G(k, r) = min_i max{ G(i - 1, r - 1), C(i, k) },   C(i, k) = bytes units i..k receive from units < i.
 * Ties: lower sum of squared layer FLOPs (the paper's "lowest variance").
 */
import type { ModelGraph } from '../ir/types.ts';
import { buildUnits, inputBytesOfRange, unitCrossings, type Crossing, type UnitGraph } from './units.ts';

export interface Layer {
  readonly index: number;
  /** Units [unitStart, unitEnd). */
  readonly unitStart: number;
  readonly unitEnd: number;
  readonly name: string;
  readonly forwardFlops: number;
  /** Bytes of activations the layer receives from earlier layers (one sample batch as the graph is built). */
  readonly inputBytes: number;
}

export interface LayerClustering {
  readonly unitGraph: UnitGraph;
  readonly crossings: readonly Crossing[];
  readonly layers: readonly Layer[];
  /** max_k C of the chosen clustering: the largest layer input, bytes. */
  readonly maxInputBytes: number;
}

export interface LayerConstructionOptions {
  /** Number of layers, or 'auto' (min(16, units)). */
  readonly layers: number | 'auto';
  /** FLOP balance slack (alpa: eps = 0.5). */
  readonly eps?: number;
}

/** Layers 'auto' picks: Alpa's benchmarks use 6-16 for GPT/MoE; 16 keeps the stage DP fast with room to balance. */
export const AUTO_LAYERS = 16;

/** C[i][k] for all 0 <= i <= k < K as a flat K x K array (row i = start). */
export function boundaryBytesTable(crossings: readonly Crossing[], K: number): Float64Array {
  const table = new Float64Array(K * K);
  const delta = new Float64Array(K + 1);
  for (let i = 0; i < K; i++) {
    delta.fill(0);
    for (const c of crossings) {
      if (c.producer >= i) continue;
      const first = c.consumers.find((u) => u >= i);
      if (first !== undefined) delta[first] += c.bytes;
    }
    let acc = 0;
    for (let k = i; k < K; k++) { acc += delta[k]; table[i * K + k] = acc; }
  }
  return table;
}

/**
 * The clustering DP on per-unit FLOPs and the boundary table; returns the layer start units (length L, first 0).
 * Pure numeric kernel, exported for tests.
 */
export function clusterUnits(flops: readonly number[], C: Float64Array, L: number, eps: number): number[] {
  // The FLOP bound admits no clustering when one huge unit sits among small ones: relax it, a bounded number of
  // times (it was a recursion without end once FLOPs were not finite), and finally drop it (always admits one).
  for (let attempt = 0, e = eps; attempt < 8; attempt++, e = e * 2 + 1) {
    const starts = clusterUnitsBounded(flops, C, L, e);
    if (starts) return starts;
  }
  const starts = clusterUnitsBounded(flops, C, L, Infinity);
  if (!starts) throw new RangeError(`clusterUnits: no clustering of ${flops.length} units into ${L} layers`);
  return starts;
}

function clusterUnitsBounded(flops: readonly number[], C: Float64Array, L: number, eps: number): number[] | undefined {
  const K = flops.length;
  if (L < 1 || L > K) throw new RangeError(`clusterUnits: ${L} layers for ${K} units`);
  const prefix = new Float64Array(K + 1);
  for (let k = 0; k < K; k++) prefix[k + 1] = prefix[k] + flops[k];
  const bound = eps === Infinity ? Infinity : (1 + eps) * prefix[K] / L;
  // G[r][k]: best (maxBytes, sumSq) for units 0..k in r+1 layers; from[r][k]: start of the last layer.
  const G = new Float64Array(L * K).fill(Infinity);
  const V = new Float64Array(L * K).fill(Infinity);
  const from = new Int32Array(L * K).fill(-1);
  for (let k = 0; k < K; k++) {
    const f = prefix[k + 1];
    if (f <= bound || k === 0) { G[k] = 0; V[k] = f * f; from[k] = 0; }
  }
  for (let r = 1; r < L; r++) {
    for (let k = r; k < K; k++) {
      let best = Infinity;
      let bestV = Infinity;
      let arg = -1;
      for (let i = k; i >= r; i--) {
        const f = prefix[k + 1] - prefix[i];
        if (f > bound && i < k) break; // a single unit may exceed the bound; longer ranges may not
        const prev = G[(r - 1) * K + i - 1];
        if (prev === Infinity) continue;
        const g = Math.max(prev, C[i * K + k]);
        const v = V[(r - 1) * K + i - 1] + f * f;
        if (arg < 0 || g < best - 1e-9 * Math.max(1, best) || (Math.abs(g - best) <= 1e-9 * Math.max(1, best) && v < bestV)) {
          best = g; bestV = v; arg = i;
        }
      }
      G[r * K + k] = best; V[r * K + k] = bestV; from[r * K + k] = arg;
    }
  }
  if (from[(L - 1) * K + K - 1] < 0) return undefined;
  const starts: number[] = [];
  let k = K - 1;
  for (let r = L - 1; r >= 0; r--) {
    const i = from[r * K + k];
    starts.push(i);
    k = i - 1;
  }
  return starts.reverse();
}

/** Number of layers for `layers` over K units. */
export function resolveLayerCount(layers: number | 'auto', units: number): number {
  if (layers === 'auto') return Math.min(AUTO_LAYERS, units);
  if (!Number.isInteger(layers) || layers < 1) throw new RangeError(`layers must be a positive integer or 'auto', got ${layers}`);
  return Math.min(layers, units);
}

/** Runs unit building and the clustering DP on a model graph. */
export function runLayerConstruction(graph: ModelGraph, options: LayerConstructionOptions): LayerClustering {
  const unitGraph = buildUnits(graph);
  const units = unitGraph.units;
  const K = units.length;
  const crossings = unitCrossings(graph, unitGraph);
  const L = resolveLayerCount(options.layers, K);
  const C = boundaryBytesTable(crossings, K);
  const starts = clusterUnits(units.map((u) => u.forwardFlops), C, L, options.eps ?? 0.5);
  const layers: Layer[] = starts.map((s, r) => {
    const e = r + 1 < starts.length ? starts[r + 1] : K;
    const first = units[s].name;
    const last = units[e - 1].name;
    return {
      index: r,
      unitStart: s,
      unitEnd: e,
      name: e - s === 1 ? first : `${first} .. ${last}`,
      forwardFlops: units.slice(s, e).reduce((acc, u) => acc + u.forwardFlops, 0),
      inputBytes: inputBytesOfRange(crossings, s, e),
    };
  });
  return { unitGraph, crossings, layers, maxInputBytes: Math.max(...layers.map((l) => l.inputBytes)) };
}
