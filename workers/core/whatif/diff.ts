/**
 * diffScenarios(base, other): what differs between two scenarios and their plans — the inputs, the stage
 * boundaries, each operator's sharding, and the breakdown terms — for Compare's highlights and `meshplan compare`.
 */
import type { Cluster } from '../cluster/types.ts';
import type { Plan } from '../inter/plan.ts';
import { dimAxes } from '../intra/specs.ts';
import type { DimSharding } from '../intra/types.ts';
import type { ScenarioInput } from './types.ts';

export interface ScenarioWithPlan {
  readonly input: ScenarioInput;
  /** Absent when the scenario has no plan (failed, or not planned yet). */
  readonly plan?: Plan;
}

export interface InputChange {
  /** 'model', 'nodes', 'gpus-per-node', 'gpu', 'intra-gbps', 'inter-gbps', 'batch', 'microbatches', 'seq', or an option name. */
  readonly field: string;
  readonly base: string;
  readonly other: string;
}

export interface BoundaryChange {
  readonly stageCount: { readonly base: number; readonly other: number };
  /** First layer of every stage after the first (layer indices of the clustering). */
  readonly base: readonly number[];
  readonly other: readonly number[];
  /** Boundaries only `other` has, and only `base` has. */
  readonly added: readonly number[];
  readonly removed: readonly number[];
  /** With as many stages on both sides: the k-th boundary where it differs (stage k+1 starts at another layer). */
  readonly moved: readonly { readonly stage: number; readonly from: number; readonly to: number }[];
  /** False when the two plans cluster the model into different layer counts (indices are not comparable). */
  readonly comparable: boolean;
}

export interface OpChange {
  readonly op: string;
  readonly name: string;
  /** Strategy and specs on the logical mesh, e.g. 'SS=SR×RS [S0R,RS1 -> S0S1] on 2x4'. */
  readonly base: string;
  readonly other: string;
}

export interface TermChange {
  readonly term: string;
  readonly unit: 's' | 'B';
  readonly base: number;
  readonly other: number;
  readonly delta: number;
  /** other / base (Infinity when base is 0 and other is not). */
  readonly ratio: number;
}

export interface ScenarioDiff {
  readonly inputs: readonly InputChange[];
  /** Absent unless both scenarios have plans. */
  readonly boundaries?: BoundaryChange;
  /**
   * Operators (matched by op id, whatever stage or layer of either clustering holds them) whose specs split their
   * stage's devices differently (splitOf); absent unless both plans carry per-operator sharding of the same model.
   * `meshOnly` counts operators with the same split on a logical mesh of another shape (their stage changed shape:
   * the same strategy at another degree, e.g. S1 on 1x2 and on 1x4); they are not in `count` nor `ops`.
   */
  readonly shardingChanged?: { readonly count: number; readonly compared: number; readonly meshOnly: number; readonly ops: readonly OpChange[] };
  /** Every breakdown term (and step, memory of the tightest stage) with its change; `grew` the ones that grew > 1%. */
  readonly terms?: readonly TermChange[];
  readonly grew?: readonly TermChange[];
}

const gbit = (bytesPerSecond: number): string => String(+((bytesPerSecond * 8) / 1e9).toPrecision(4));

function clusterFields(c: Cluster): Record<string, string> {
  const gpus = [...new Set(c.nodes.map((n) => n.gpus))];
  const types = [...new Set(c.nodes.map((n) => n.gpu))];
  return {
    nodes: String(c.nodes.length),
    'gpus-per-node': gpus.join('/'),
    gpu: types.join('/'),
    'intra-gbps': gbit(c.intraNode.bandwidthBytesPerSecond),
    'inter-gbps': gbit(c.interNode.bandwidthBytesPerSecond),
  };
}

function inputFields(s: ScenarioInput): Record<string, string> {
  const o = s.options;
  const str = (v: unknown): string => (v === undefined ? '-' : String(v));
  return {
    model: s.model,
    ...clusterFields(s.cluster),
    batch: str(o.globalBatch), microbatches: str(o.microbatches), seq: str(o.seq), mode: str(o.mode),
    precision: str(o.precision), schedule: str(o.schedule), runtime: str(o.runtime ?? 'megatron'), remat: str(o.remat),
    layers: str(o.layers), memoryLimitBytes: str(o.memoryLimitBytes), baseline: str(o.baseline), dp: str(o.dp), tp: str(o.tp), pp: str(o.pp),
    pricePerGpuHour: str(s.pricePerGpuHour),
  };
}

export function diffInputs(base: ScenarioInput, other: ScenarioInput): InputChange[] {
  const a = inputFields(base);
  const b = inputFields(other);
  return Object.keys(a).filter((k) => a[k] !== b[k]).map((field) => ({ field, base: a[field], other: b[field] }));
}

function layerCount(p: Plan): number {
  return p.stages.length ? p.stages[p.stages.length - 1].layers[1] : 0;
}

export function diffBoundaries(base: Plan, other: Plan): BoundaryChange {
  const starts = (p: Plan) => p.stages.slice(1).map((s) => s.layers[0]);
  const a = starts(base);
  const b = starts(other);
  const moved = a.length === b.length ? a.flatMap((from, k) => (from !== b[k] ? [{ stage: k + 1, from, to: b[k] }] : [])) : [];
  return {
    stageCount: { base: base.stages.length, other: other.stages.length },
    base: a, other: b,
    added: b.filter((x) => !a.includes(x)),
    removed: a.filter((x) => !b.includes(x)),
    moved,
    comparable: layerCount(base) === layerCount(other),
  };
}

interface OpSpecs { readonly name: string; readonly text: string; readonly split: string; readonly mesh: string }

/**
 * A spec read as how it splits the stage's devices, whatever the mesh's shape: per dim 'R' (no axis of size > 1),
 * 'S' (all of the stage's devices: S1 on 1x8 and S0 on 8x1 alike) or the one axis of a 2-D mesh it splits ('S0',
 * 'S1'). The same split on a stage of another size is the same strategy at another degree.
 */
export function splitOf(spec: string, mesh: readonly [number, number]): string {
  const dims = spec.match(/S01|S0|S1|R/g) ?? [];
  // A scalar is written 'R' (intra/specs.ts formatSpec) or '' (the template).
  if (dims.length === 0) return 'R';
  return dims.map((d) => {
    const axes = dimAxes(d as DimSharding).filter((a) => mesh[a] > 1);
    if (axes.length === 0) return 'R';
    return axes.reduce((n: number, a) => n * mesh[a], 1) === mesh[0] * mesh[1] ? 'S' : `S${axes.join('')}`;
  }).join('');
}

/** Each operator's specs as the stage's devices split them (splitOf), its text and its stage's mesh, by op id. */
function shardingOf(p: Plan): Map<string, OpSpecs> | undefined {
  const out = new Map<string, OpSpecs>();
  for (const s of p.stages) {
    if (!s.sharding) return undefined;
    const lm = s.logicalMesh as readonly [number, number];
    const mesh = lm.join('x');
    const split = (specs: readonly string[]) => specs.map((x) => splitOf(x, lm)).join(',');
    for (const o of s.sharding.ops) {
      out.set(o.op, { name: o.name, text: `${o.strategy} [${o.inputSpecs.join(',')} -> ${o.outputSpecs.join(',')}] on ${mesh}`,
        split: `${split(o.inputSpecs)} -> ${split(o.outputSpecs)}`, mesh });
    }
  }
  return out;
}

/** Operators matched by id across the two plans, whatever their layer clusterings (see ScenarioDiff). */
export function diffSharding(base: Plan, other: Plan): ScenarioDiff['shardingChanged'] {
  if (base.model !== other.model) return undefined;
  const a = shardingOf(base);
  const b = shardingOf(other);
  if (!a || !b) return undefined;
  const ops: OpChange[] = [];
  let compared = 0;
  let meshOnly = 0;
  for (const [op, x] of a) {
    const y = b.get(op);
    if (!y) continue;
    compared++;
    if (x.split !== y.split) ops.push({ op, name: x.name, base: x.text, other: y.text });
    else if (x.mesh !== y.mesh) meshOnly++;
  }
  return { count: ops.length, compared, meshOnly, ops };
}

function termsOf(p: Plan): Record<string, number> {
  const b = p.breakdown;
  const tight = Math.max(0, ...p.stages.map((s) => (s.requiredBytesPerDevice ?? s.memoryBytesPerDevice) / s.memoryLimitBytes));
  const peak = p.stages.find((s) => (s.requiredBytesPerDevice ?? s.memoryBytesPerDevice) / s.memoryLimitBytes === tight);
  return {
    step: p.stepSeconds, compute: b.computeSeconds, 'intra-stage communication': b.intraStageCommunicationSeconds,
    'cross-stage sends': b.crossStageSeconds, 'pipeline bubble': b.bubbleSeconds, 'gradient sync': b.gradientSyncSeconds,
    'memory per device (tightest stage)': peak ? peak.requiredBytesPerDevice ?? peak.memoryBytesPerDevice : 0,
  };
}

export function diffTerms(base: Plan, other: Plan): TermChange[] {
  const a = termsOf(base);
  const b = termsOf(other);
  return Object.keys(a).map((term) => ({
    term, unit: term.startsWith('memory') ? 'B' as const : 's' as const, base: a[term], other: b[term], delta: b[term] - a[term],
    ratio: a[term] === 0 ? (b[term] === 0 ? 1 : Infinity) : b[term] / a[term],
  }));
}

export function diffScenarios(base: ScenarioWithPlan, other: ScenarioWithPlan): ScenarioDiff {
  const inputs = diffInputs(base.input, other.input);
  if (!base.plan || !other.plan) return { inputs };
  const terms = diffTerms(base.plan, other.plan);
  const sharding = diffSharding(base.plan, other.plan);
  return {
    inputs,
    boundaries: diffBoundaries(base.plan, other.plan),
    ...(sharding ? { shardingChanged: sharding } : {}),
    terms,
    grew: terms.filter((t) => t.delta > 0 && t.ratio > 1.01).sort((x, y) => y.ratio - x.ratio),
  };
}
