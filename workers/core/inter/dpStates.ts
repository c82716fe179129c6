/**
 * The stage DP's device states (stageConstruction.ts): one count of devices left per pipeline order of the GPU
 * groups, counted in each group's quantum; and the t_max values the DP tries.
 */

/** What the device states depend on: the sub-mesh shapes' groups and sizes, and each group's devices. */
export interface DeviceStates {
  readonly meshes: readonly { readonly group: number; readonly devices: number }[];
  readonly groupDevices: readonly number[];
}

/** Device states for one pipeline order of the groups: group order[k]'s devices sit above those of later groups. */
export interface Layout {
  /** Per group: devices of the groups after it in the order (its states are offset + 1 .. offset + D_g). */
  readonly offsets: readonly number[];
  readonly count: number;
  readonly full: number;
}

export function orderLayout(groupDevices: readonly number[], order: readonly number[]): Layout {
  const offsets = groupDevices.map(() => 0);
  let off = 0;
  for (let k = order.length - 1; k >= 0; k--) { offsets[order[k]] = off; off += groupDevices[order[k]]; }
  return { offsets, count: off + 1, full: off };
}

/** Every order of the groups 0..G-1 (G! of them; G is at most 4 past the boundary's check). */
export function groupOrders(G: number): number[][] {
  if (G <= 1) return [[0].slice(0, G)];
  const out: number[][] = [];
  for (const rest of groupOrders(G - 1)) {
    for (let k = 0; k <= rest.length; k++) out.push([...rest.slice(0, k), G - 1, ...rest.slice(k)]);
  }
  return out;
}

/** Float64/Int32 cells of one DP pass's tables: (S + 1) x (L + 1) x device states. */
export function dpCells(p: { readonly layers: number; readonly maxStages: number; readonly groupDevices: readonly number[] }): number {
  return (p.maxStages + 1) * (p.layers + 1) * (p.groupDevices.reduce((a, b) => a + b, 0) + 1);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * The problem with each group's devices counted in its quantum (the gcd of its sub-mesh sizes and its total): the
 * same solutions over fewer DP states (whole-node sub-meshes of a large cluster: one state per node block).
 */
export function quantised<P extends DeviceStates>(p: P): P {
  const q = p.groupDevices.map((d, g) => p.meshes.reduce((a, m) => (m.group === g ? gcd(a, m.devices) : a), d));
  if (q.every((x) => x === 1)) return p;
  return {
    ...p,
    meshes: p.meshes.map((m) => ({ group: m.group, devices: m.devices / q[m.group] })),
    groupDevices: p.groupDevices.map((d, g) => d / q[g]),
  };
}

/** Distinct option maxima in ascending order (options that fit at least one position). */
export function tMaxCandidates(p: { readonly optMax: Float64Array; readonly optMaxStages: Int32Array }, relativeGap: number): number[] {
  const vals: number[] = [];
  for (let o = 0; o < p.optMax.length; o++) if (p.optMaxStages[o] >= 1 && Number.isFinite(p.optMax[o])) vals.push(p.optMax[o]);
  vals.sort((a, b) => a - b);
  const out: number[] = [];
  for (const v of vals) {
    const last = out[out.length - 1];
    if (last === undefined || v > last * (1 + relativeGap) + 1e-15) out.push(v);
    else if (relativeGap > 0) out[out.length - 1] = Math.max(last, v);
  }
  return out;
}

/** One DP pass's tables per (stages, first layer, device state). */
export interface Tables {
  readonly F: Float64Array;
  readonly PM: Float64Array;
  readonly choice: Int32Array; // (i * M + m) * O + o, packed as i, mesh, option
  readonly choiceOpt: Int32Array;
}

let scratch: Tables | undefined;

/** Tables of `size` cells, emptied (F and PM Infinity, no choice): the last pass's memory, reused, since a pass's
 * tables are read before the next pass starts (a 70B search ran ~120 passes of 13 MB each). */
export function dpTables(size: number): Tables {
  if (!scratch || scratch.F.length < size) {
    scratch = { F: new Float64Array(size), PM: new Float64Array(size), choice: new Int32Array(size), choiceOpt: new Int32Array(size) };
  }
  scratch.F.fill(Infinity, 0, size);
  scratch.PM.fill(Infinity, 0, size);
  scratch.choice.fill(-1, 0, size);
  scratch.choiceOpt.fill(-1, 0, size);
  return scratch;
}
