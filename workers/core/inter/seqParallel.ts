/**
 * Sequence parallelism (SP, Megatron-style: Korthikanti et al. 2022) and context parallelism (CP: ring attention or
 * Ulysses all-to-all) as per-stage choices of the search. Each is a mesh variant (meshSpace.ts): the stage DP picks
 * a stage's variant as it picks its logical mesh, so the choice is per stage and priced from the same unit profiles
 * (manualProfile.ts), no extra solve. The variant's name carries the choice ('template+sp+cp2-ring'), so a stage's
 * mesh says what it runs.
 *
 * A CP stage on a logical mesh (n0, n1) splits axis 0 into dp x cp: the cp devices of a group hold one sequence's
 * tokens split cp ways. The unit profile of (n0, n1) already prices a device's share of the tokens (its compute,
 * its activations over n0, its gradient all-reduce over dp x cp); CP adds the attention's collectives
 * (contextParallelCollectives) and lets a micro-batch split over dp only (dataParallelOf), so one sequence can
 * spread over cp devices.
 */
import type { Link } from '../cluster/types.ts';
import type { ModelGraph, Op, Tensor } from '../ir/types.ts';
import { tensorBytes, type Unit } from './units.ts';
import type { ProfiledCollective } from './unitProfile.ts';

export type CpKind = 'ring' | 'ulysses';
export const CP_KINDS: readonly CpKind[] = ['ring', 'ulysses'];
/** How ring CP splits a sequence (fusedCore.ts causalImbalance): 2cp load-balanced chunks or cp contiguous blocks. */
export type CpSplit = 'balanced' | 'contiguous';
export const CP_SPLITS: readonly CpSplit[] = ['balanced', 'contiguous'];

export interface SeqChoice {
  /** Sequence parallelism in the regions outside tensor parallelism (needs axis 1 > 1). */
  readonly sp: boolean;
  /** Context-parallel degree: devices of axis 0 one sequence is split over (1: none). */
  readonly cp: number;
  readonly cpKind: CpKind;
}

export const NO_SEQ: SeqChoice = { sp: false, cp: 1, cpKind: 'ring' };

/** The search offers CP on its own only from this sequence length (tokens); `cp` in the options forces it. */
export const CP_MIN_SEQ = 16384;
/** Fewest tokens of a sequence per CP rank the search offers (smaller blocks are latency-bound). */
export const CP_MIN_BLOCK = 4096;

export function variantWith(base: string, c: SeqChoice): string {
  return base + (c.sp ? '+sp' : '') + (c.cp > 1 ? `+cp${c.cp}-${c.cpKind}` : '');
}

/** The strategy source and the SP/CP choice a mesh variant names. */
export function seqChoiceOf(variant: string): SeqChoice & { readonly base: string } {
  const [base, ...tags] = variant.split('+');
  let sp = false;
  let cp = 1;
  let cpKind: CpKind = 'ring';
  for (const tag of tags) {
    const m = /^cp(\d+)-(ring|ulysses)$/.exec(tag);
    if (tag === 'sp') sp = true;
    else if (m) { cp = Number(m[1]); cpKind = m[2] as CpKind; }
  }
  return { base, sp, cp, cpKind };
}

/** Devices a micro-batch's samples are split over on this mesh: axis 0 over its CP degree. */
/** Whether a stage on this mesh can take micro-batches of b samples: its data-parallel axis divides them (the DP offers
 * no option on a mesh that fails this). */
export function usableAt(b: number, mesh: { readonly logical: readonly [number, number]; readonly variant: string }): boolean {
  return b % dataParallelOf(mesh.logical, mesh.variant) === 0;
}

export function dataParallelOf(logical: readonly [number, number], variant: string): number {
  return logical[0] / seqChoiceOf(variant).cp;
}

/** The ManualStrategy fields of a choice (manualProfile.ts). */
export function seqStrategy(c: SeqChoice): { sequenceParallel?: boolean; contextParallel?: { degree: number; kind: CpKind } } {
  return { ...(c.sp ? { sequenceParallel: true } : {}), ...(c.cp > 1 ? { contextParallel: { degree: c.cp, kind: c.cpKind } } : {}) };
}

/** A stage's SP/CP fields (inter/plan.ts Stage) for its mesh variant; none when it runs neither. */
export function seqStageFields(variant: string): { sequenceParallel?: true; contextParallel?: { degree: number; kind: CpKind } } {
  const c = seqChoiceOf(variant);
  return { ...(c.sp ? { sequenceParallel: true as const } : {}), ...(c.cp > 1 ? { contextParallel: { degree: c.cp, kind: c.cpKind } } : {}) };
}

/** What the options ask of SP and CP (PlanOptions sp, cp, cpKind). */
export interface SeqOptions {
  readonly sp?: 'on' | 'off' | 'auto';
  readonly cp?: number;
  readonly cpKind?: CpKind;
}

/** Heads of the model (attention's query and key/value heads), when its config names them. */
function headsOf(graph: ModelGraph): { heads: number; kvHeads: number } | undefined {
  const heads = graph.config?.heads;
  if (!heads) return undefined;
  return { heads, kvHeads: graph.config?.kvHeads ?? heads };
}

/** Why Ulysses cannot split this mesh's heads cp ways, or undefined when it can. */
export function ulyssesProblem(graph: ModelGraph, tp: number, cp: number): string | undefined {
  const h = headsOf(graph);
  if (!h) return `Ulysses needs the model's attention heads (config.heads), which ${graph.name} does not name`;
  if (h.heads % (tp * cp) !== 0 || h.kvHeads % (tp * cp) !== 0) {
    return `Ulysses needs heads (${h.heads}) and key/value heads (${h.kvHeads}) divisible by tp x cp = ${tp} x ${cp}`;
  }
  return undefined;
}

/**
 * The SP/CP variants of a base strategy on a logical mesh. SP where axis 1 (tensor parallel) > 1 and the model has a
 * sequence: 'auto' offers both, 'on' only SP, 'off' none. CP: `cp` forces that degree (meshes whose axis 0 it does not
 * divide have no variant); otherwise, from CP_MIN_SEQ tokens, every power of two dividing axis 0 that leaves
 * CP_MIN_BLOCK tokens a rank, ring always and Ulysses where the heads divide.
 */
export function seqVariants(base: string, logical: readonly [number, number], graph: ModelGraph, o: SeqOptions): string[] {
  const seq = graph.seq ?? 0;
  const sps = logical[1] > 1 && seq > 1 ? (o.sp === 'on' ? [true] : o.sp === 'off' ? [false] : [false, true]) : [false];
  const cps: { cp: number; cpKind: CpKind }[] = [];
  if (o.cp !== undefined && o.cp > 1) {
    const cpKind = o.cpKind ?? 'ring';
    if (logical[0] % o.cp === 0 && !(cpKind === 'ulysses' && ulyssesProblem(graph, logical[1], o.cp))) cps.push({ cp: o.cp, cpKind });
  } else {
    if (o.cp === undefined || o.cp === 1) cps.push({ cp: 1, cpKind: 'ring' });
    if (o.cp === undefined && seq >= CP_MIN_SEQ) {
      for (let cp = 2; cp <= logical[0] && seq / cp >= CP_MIN_BLOCK; cp *= 2) {
        if (logical[0] % cp !== 0) continue;
        for (const cpKind of o.cpKind ? [o.cpKind] : CP_KINDS) {
          if (cpKind === 'ulysses' && ulyssesProblem(graph, logical[1], cp)) continue;
          cps.push({ cp, cpKind });
        }
      }
    }
  }
  return sps.flatMap((sp) => cps.map((c) => variantWith(base, { sp, ...c })));
}

/** The attention core of a unit: the scores dot (q k^T), the context dot (probs v) and the forward ops between. */
interface AttentionCore {
  readonly q: Tensor;
  readonly k: Tensor;
  readonly v: Tensor;
  readonly out: Tensor;
  readonly ops: readonly number[];
}

/** A dot between two activations with dot batch dims (heads): attention's scores or context. */
function isActivationBatchDot(op: Op, tensors: ReadonlyMap<string, Tensor>): boolean {
  if (op.kind !== 'dot' || op.attrs.kind !== 'dot' || op.attrs.lhsBatch.length === 0) return false;
  return op.inputs.every((t) => { const x = tensors.get(t); return x !== undefined && x.kind !== 'parameter' && x.batchDim !== undefined; });
}

export function attentionCores(graph: ModelGraph, unit: Unit, tensors: ReadonlyMap<string, Tensor>): AttentionCore[] {
  const out: AttentionCore[] = [];
  let open: { scores: Op; at: number } | undefined;
  unit.forwardOps.forEach((i, at) => {
    const op = graph.ops[i];
    if (op.phase !== 'forward' || !isActivationBatchDot(op, tensors)) return;
    if (!open) { open = { scores: op, at }; return; }
    const [q, k, v, o] = [open.scores.inputs[0], open.scores.inputs[1], op.inputs[1], op.outputs[0]].map((id) => tensors.get(id));
    if (q && k && v && o) out.push({ q, k, v, out: o, ops: unit.forwardOps.slice(open.at, at + 1) });
    open = undefined;
  });
  return out;
}

/**
 * CP's collectives on axis 0 among the cp devices of a group, message bytes at the profile's batch, per device:
 * `split` is what divides a tensor per device on the (n0, n1) mesh (n0 x the tensor-parallel degree), so
 * X = bytes(X) / split is a device's share and cp X its group's whole-sequence tensor.
 * - ring: the K and V blocks pass around the group: cp - 1 transfers of (K + V) / cp a rank in forward, so
 *   (cp - 1) / cp x (K + V) of the whole sequence; backward passes K, V and their gradients, twice that. Each
 *   transfer overlaps one block's attention (unitProfile.ts profiledCollectiveSeconds); its receive buffers (two
 *   blocks of K and V) are live beside the activations.
 * The group's link is `link` when given (its cp consecutive axis-0 positions, inside a node when they fit:
 * inter/context.ts), else axis 0's.
 * - ulysses: 4 all-to-alls in forward (q, k and v from sequence-split to head-split, the output back), 4 in
 *   backward for their gradients; an all-to-all's message is the group's tensor (cost/collectives.ts), cp x X. They
 *   are on the critical path (the attention waits for them), as in DeepSpeed-Ulysses and Megatron's a2a CP.
 */
export function contextParallelCollectives(graph: ModelGraph, unit: Unit, tensors: ReadonlyMap<string, Tensor>,
  split: number, cp: number, kind: CpKind, link?: Link): { collectives: ProfiledCollective[]; bufferBytes: number } {
  const collectives: ProfiledCollective[] = [];
  let bufferBytes = 0;
  if (cp <= 1) return { collectives, bufferBytes };
  const on = link ? { link } : {};
  for (const a of attentionCores(graph, unit, tensors)) {
    const op = a.ops[0];
    if (kind === 'ring') {
      const kv = (tensorBytes(a.k) + tensorBytes(a.v)) / split;
      const bytes = (cp - 1) * kv;
      collectives.push({ kind: 'send-recv', axis: 0, group: cp, ...on, bytes, phase: 'forward', scales: true, op, ring: { steps: cp - 1, ops: a.ops } });
      collectives.push({ kind: 'send-recv', axis: 0, group: cp, ...on, bytes: 2 * bytes, phase: 'backward', scales: true, op, ring: { steps: cp - 1, ops: a.ops } });
      bufferBytes += 2 * kv;
    } else {
      for (const t of [a.q, a.k, a.v, a.out]) {
        const bytes = (cp * tensorBytes(t)) / split;
        collectives.push({ kind: 'all-to-all', axis: 0, group: cp, ...on, bytes, phase: 'forward', scales: true, op });
        collectives.push({ kind: 'all-to-all', axis: 0, group: cp, ...on, bytes, phase: 'backward', scales: true, op });
      }
    }
  }
  return { collectives, bufferBytes };
}
