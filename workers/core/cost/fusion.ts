/**
 * What XLA fuses, and so what memory-bound work really moves through HBM. XLA's GPU backend turns every maximal
 * chain of memory-bound ops between two GEMMs (elementwise, bias, residual, layer norm, softmax, transposes,
 * slices) into one kernel: only the tensors entering the chain from outside and the tensors leaving it (read by a
 * GEMM, by a later chain, or kept as an output) touch HBM, at one launch per chain. Reshapes are views.
 *
 * fusionTraffic(graph) attributes the bytes of each chain to its ops, so a per-op cost (opSeconds with the
 * `fused` option) adds up to the chain's traffic, and the chain's single launch to its first op.
 */
import type { ModelGraph, Op, Tensor } from '../ir/types.ts';
import { DTYPE_BYTES } from '../ir/types.ts';
import { activationElementBytes, type Precision } from './precision.ts';

/** Kinds that run on tensor cores (their own kernels, never inside a memory-bound fusion). */
export const GEMM_KINDS: ReadonlySet<string> = new Set(['dot', 'conv']);
/** Kinds that cost nothing (views, folded constants, unmapped imports). */
export const FREE_KINDS: ReadonlySet<string> = new Set(['reshape', 'constant', 'unknown']);

export type ElementWidth = (t: Pick<Tensor, 'dtype'>) => number;

/**
 * HBM bytes of one element under a precision: floats take the precision's width, except fp32 tensors in a graph
 * whose parameters are 16-bit (the model keeps those in fp32 on purpose, e.g. an fp32 LM head); integers keep
 * their width.
 */
export function elementWidth(graph: Pick<ModelGraph, 'tensors'>, p: Precision): ElementWidth {
  const param = graph.tensors.find((t) => t.kind === 'parameter');
  const lowPrecisionGraph = param?.dtype === 'f16' || param?.dtype === 'bf16';
  return (t) => {
    if (t.dtype === 'f16' || t.dtype === 'bf16') return activationElementBytes(p);
    if (t.dtype === 'f32' || t.dtype === 'tf32') return lowPrecisionGraph ? 4 : activationElementBytes(p);
    return DTYPE_BYTES[t.dtype];
  };
}

export function tensorBytesWith(t: Tensor, width: ElementWidth): number {
  return t.shape.reduce((s, d) => s * d, 1) * width(t);
}

export interface FusedOpTraffic {
  /** HBM bytes this op's share of its fusion moves in the forward pass. */
  readonly bytes: number;
  /** Kernel launches charged to this op (1 for the first op of a fusion, else 0). */
  readonly launches: number;
  /** Index of the fusion (chain) the op belongs to. */
  readonly fusion: number;
}

/**
 * Per memory-bound op: its share of its fusion's HBM traffic. Ops outside the returned map are GEMMs or free.
 * `opIds` restricts to a stage (tensors from ops outside it count as inputs).
 */
export function fusionTraffic(graph: Pick<ModelGraph, 'ops' | 'tensors'>, precision: Precision, opIds?: readonly string[]): ReadonlyMap<string, FusedOpTraffic> {
  const inStage = opIds ? new Set(opIds) : undefined;
  const ops = graph.ops.filter((o) => !inStage || inStage.has(o.id));
  const tensor = new Map(graph.tensors.map((t) => [t.id, t]));
  const width = elementWidth(graph, precision);
  // Views: a reshape's output is its input's storage.
  const root = new Map<string, string>();
  const rootOf = (id: string): string => root.get(id) ?? id;
  for (const op of ops) if (op.kind === 'reshape' && op.inputs[0] && op.outputs[0]) root.set(op.outputs[0], rootOf(op.inputs[0]));

  const producerFusion = new Map<string, number>();
  const openFusions = new Set<number>();
  const fusionOf = new Map<string, number>();
  const consumers = new Map<string, Op[]>();
  for (const op of ops) for (const i of op.inputs) {
    if (op.kind === 'reshape') continue; // a view: its readers are registered under the root
    const r = rootOf(i);
    consumers.set(r, [...(consumers.get(r) ?? []), op]);
  }
  let next = 0;
  for (const op of ops) {
    if (FREE_KINDS.has(op.kind)) continue;
    const fromFusions = op.inputs.map((i) => producerFusion.get(rootOf(i))).filter((f): f is number => f !== undefined);
    if (GEMM_KINDS.has(op.kind)) {
      for (const f of fromFusions) openFusions.delete(f); // a GEMM reads it: the chain has ended
      continue;
    }
    const open = fromFusions.filter((f) => openFusions.has(f));
    const f = open.length ? Math.max(...open) : next++;
    openFusions.add(f);
    fusionOf.set(op.id, f);
    for (const o of op.outputs) producerFusion.set(rootOf(o), f);
  }

  const out = new Map<string, FusedOpTraffic>();
  const seenInput = new Map<number, Set<string>>();
  const launched = new Set<number>();
  for (const op of ops) {
    const f = fusionOf.get(op.id);
    if (f === undefined) continue;
    let bytes = 0;
    const seen = seenInput.get(f) ?? new Set<string>();
    seenInput.set(f, seen);
    for (const i of op.inputs) {
      const r = rootOf(i);
      const t = tensor.get(i);
      if (!t || producerFusion.get(r) === f || seen.has(r)) continue;
      seen.add(r);
      bytes += readBytes(op, t, tensor, width);
    }
    for (const o of op.outputs) {
      const t = tensor.get(o);
      const users = consumers.get(rootOf(o)) ?? [];
      const leaves = users.length === 0 || users.some((u) => fusionOf.get(u.id) !== f);
      if (t && leaves) bytes += tensorBytesWith(t, width);
    }
    out.set(op.id, { bytes, launches: launched.has(f) ? 0 : 1, fusion: f });
    launched.add(f);
  }
  return out;
}

/** A gather from a table or a slice reads only what it emits; everything else reads its whole input. */
function readBytes(op: Op, t: Tensor, tensor: ReadonlyMap<string, Tensor>, width: ElementWidth): number {
  const partial = (op.kind === 'gather' && t.kind === 'parameter') || op.kind === 'slice';
  if (!partial) return tensorBytesWith(t, width);
  return op.outputs.reduce((s, o) => {
    const ot = tensor.get(o);
    return s + (ot ? tensorBytesWith(ot, width) : 0);
  }, 0);
}
