/**
 * The attention core of each attention layer: what selective recomputation (Korthikanti et al. 2022, "Reducing
 * Activation Recomputation in Large Transformer Models" §4.2; Megatron-LM's checkpointed core attention) drops and
 * recomputes. Found by shape of the graph, so zoo models and imported ones (ONNX MatMul/Div/Add/Softmax/MatMul,
 * fused Attention expanded by import/onnxAttention.ts, StableHLO dot_general chains) are treated alike:
 * a forward softmax whose input comes, through elementwise/layout ops (scale, mask, convert, reshape), from a dot of
 * two activations (the scores Q.K^T), and whose output reaches, through elementwise/layout ops (dropout), a dot of
 * two activations (the context P.V). The region is those ops; the tensors it makes (scores, probabilities, dropout
 * mask and output: the 5·a·s²·b bytes of the paper) are not kept under selective recomputation, its inputs (Q, K,
 * V) are. A softmax without both dots (an MoE router, a loss) is no attention core.
 */
import type { ModelGraph, Op, Tensor } from './types.ts';

/** Ops passed through between the dots and the softmax (one activation in, one out). */
const PASS_THROUGH = new Set<Op['kind']>(['elementwise', 'reshape', 'transpose', 'broadcast']);

/** Operands that flow with the batch (activations, graph inputs), not weights or constants. */
function activationInputs(op: Op, tensors: ReadonlyMap<string, Tensor>): string[] {
  return op.inputs.filter((id) => { const k = tensors.get(id)?.kind; return k === 'activation' || k === 'input'; });
}

/** A dot whose two operands are activations (no weight): Q.K^T or P.V. */
function isActivationDot(op: Op, tensors: ReadonlyMap<string, Tensor>): boolean {
  return op.kind === 'dot' && activationInputs(op, tensors).length === 2;
}

/** One attention core: its ops (graph.ops indices) and whether a causal mask hides half its scores. */
export interface AttentionRegion {
  readonly ops: readonly number[];
  /** An op of the region reads a constant named as a causal mask (zoo/transformer.ts causalMask, import/hfDecoder.ts):
   * a fused kernel skips the masked half of the scores. Imported masks built from ops are not recognised (priced as
   * full attention). */
  readonly causal: boolean;
}

/** Indices (in graph.ops) of the ops of every attention core. */
export function attentionCoreOps(graph: ModelGraph): Set<number> {
  return new Set(attentionRegions(graph).flatMap((r) => r.ops));
}

/** A constant the zoo names as a causal mask. */
function isCausalMask(t: Tensor | undefined): boolean {
  return t !== undefined && t.kind === 'constant' && (/causal/i.test(t.id) || /causal/i.test(t.name));
}

/** Every attention core of the graph, in op order. */
export function attentionRegions(graph: ModelGraph): AttentionRegion[] {
  const tensors = new Map(graph.tensors.map((t) => [t.id, t]));
  const producer = new Map<string, number>();
  const consumers = new Map<string, number[]>();
  graph.ops.forEach((op, i) => {
    if (op.phase !== 'forward') return;
    for (const t of op.outputs) producer.set(t, i);
    for (const t of op.inputs) (consumers.get(t) ?? consumers.set(t, []).get(t)!).push(i);
  });
  const out: AttentionRegion[] = [];
  graph.ops.forEach((op, i) => {
    if (op.kind !== 'softmax' || op.phase !== 'forward') return;
    const region = [i];
    // Back to the scores dot.
    let scores = -1;
    let t = activationInputs(op, tensors)[0];
    for (let hops = 0; t !== undefined && hops < 8; hops++) {
      const p = producer.get(t);
      if (p === undefined) break;
      const q = graph.ops[p];
      if (isActivationDot(q, tensors)) { scores = p; break; }
      const ins = activationInputs(q, tensors);
      if (!PASS_THROUGH.has(q.kind) || ins.length !== 1) break;
      region.push(p);
      t = ins[0];
    }
    // Forward to the context dot.
    let context = -1;
    t = op.outputs[0];
    for (let hops = 0; t !== undefined && hops < 8; hops++) {
      const next = consumers.get(t) ?? [];
      if (next.length !== 1) break;
      const q = graph.ops[next[0]];
      if (isActivationDot(q, tensors)) { context = next[0]; break; }
      if (!PASS_THROUGH.has(q.kind) || q.outputs.length !== 1) break;
      region.push(next[0]);
      t = q.outputs[0];
    }
    if (scores < 0 || context < 0) return;
    const ops = [scores, ...region, context].sort((a, b) => a - b);
    out.push({ ops, causal: ops.some((k) => graph.ops[k].inputs.some((t) => isCausalMask(tensors.get(t)))) });
  });
  return out;
}

/** A graph's attention cores as op sets: all their ops, those of causal cores, and each core's first op. */
export interface AttentionCoreSets { readonly ops: Set<number>; readonly causal: Set<number>; readonly calls: Set<number> }
const coreSets = new WeakMap<ModelGraph, AttentionCoreSets>();

/** The graph's attention cores (attentionRegions), found once per graph. */
export function attentionCoresOf(graph: ModelGraph): AttentionCoreSets {
  let s = coreSets.get(graph);
  if (!s) {
    const regions = attentionRegions(graph);
    s = { ops: new Set(regions.flatMap((r) => r.ops)), causal: new Set(regions.flatMap((r) => (r.causal ? r.ops : []))), calls: new Set(regions.map((r) => r.ops[0])) };
    coreSets.set(graph, s);
  }
  return s;
}

/** Forward FLOPs of the attention cores among `ops` (graph.ops indices), per graph batch. */
export function attentionFlops(graph: ModelGraph, core: ReadonlySet<number>, ops: Iterable<number>): number {
  let f = 0;
  for (const i of ops) if (core.has(i)) f += graph.ops[i].flops;
  return f;
}
