/**
 * FLOPs per step as the paper counts them (paper-eval.json tflops_definition; Alpa benchmark/alpa/util.py):
 * GPT and MoE by their closed formulas (recomputation included when layers are rematerialised), other models from
 * the graph (training = 3x forward, + 1x forward of rematerialised layers).
 */
import type { ModelGraph } from '../ir/types.ts';

function cfg(graph: ModelGraph, key: string): number | undefined {
  const v = graph.config?.[key];
  return typeof v === 'number' ? v : undefined;
}

/** compute_gpt_tflops's total_flop for a global batch. */
export function gptStepFlops(batch: number, seq: number, layers: number, hidden: number, vocab: number, backward: boolean, remat: boolean): number {
  const f = 24 + (backward ? 48 : 0) + (remat ? 24 : 0);
  return f * batch * seq * hidden * hidden * layers * (1 + seq / (6 * hidden)) + 6 * batch * seq * hidden * vocab;
}

/** compute_moe_tflops's total_flop for a global batch. */
export function moeStepFlops(batch: number, seq: number, layers: number, hidden: number, groupSize: number, vocab: number,
  experts: number, mlpFactor: number, remat: boolean): number {
  const factor = remat ? 4 : 3;
  const dense = (batch * seq * hidden * hidden * (8 + 4 * mlpFactor) + 4 * batch * seq * seq * hidden) * factor;
  let moe = batch * seq * hidden * hidden * 8 + 4 * batch * seq * seq * hidden;
  moe += 8 * batch * seq * hidden * hidden * mlpFactor;
  moe += 2 * batch * seq * hidden * experts;
  moe += 2 * (batch * seq) * 2 * groupSize;
  moe += 2 * batch * seq * hidden * 2 * groupSize * 2;
  moe *= factor;
  return dense * layers / 2 + moe * layers / 2 + 6 * batch * seq * hidden * vocab;
}

/** Forward FLOPs of the graph's forward ops, per graph batch. */
export function graphForwardFlops(graph: ModelGraph): number {
  return graph.ops.reduce((s, op) => (op.phase === 'forward' ? s + op.flops : s), 0);
}

/**
 * FLOPs of one step of `globalBatch` samples by the paper's definition; `rematForwardFraction` is the fraction of
 * forward FLOPs recomputed (rematerialised stages' share).
 */
export function paperStepFlops(graph: ModelGraph, globalBatch: number, training: boolean, rematForwardFraction: number): number {
  const scale = globalBatch / graph.batch;
  const fwd = graphForwardFlops(graph) * scale;
  const seq = cfg(graph, 'seq') ?? graph.seq;
  const hidden = cfg(graph, 'hidden');
  const layers = cfg(graph, 'layers');
  const vocab = cfg(graph, 'vocab');
  if (training && graph.family === 'gpt' && seq && hidden && layers && vocab) {
    const base = gptStepFlops(globalBatch, seq, layers, hidden, vocab, true, false);
    const full = gptStepFlops(globalBatch, seq, layers, hidden, vocab, true, true);
    return base + (full - base) * rematForwardFraction;
  }
  const experts = cfg(graph, 'experts');
  if (training && graph.family === 'moe' && seq && hidden && layers && vocab && experts) {
    const group = cfg(graph, 'expertGroupSize') ?? 2048;
    const mlp = cfg(graph, 'mlpFactor') ?? 8;
    const base = moeStepFlops(globalBatch, seq, layers, hidden, group, vocab, experts, mlp, false);
    const full = moeStepFlops(globalBatch, seq, layers, hidden, group, vocab, experts, mlp, true);
    return base + (full - base) * rematForwardFraction;
  }
  if (!training) return fwd;
  if (graph.training?.explicitBackward) {
    const all = graph.ops.reduce((s, op) => s + op.flops, 0) * scale;
    return all + fwd * rematForwardFraction;
  }
  return 3 * fwd + fwd * rematForwardFraction;
}

/** Model FLOPs per step (no recomputation). */
export function modelStepFlops(graph: ModelGraph, globalBatch: number, training: boolean): number {
  return paperStepFlops(graph, globalBatch, training, 0);
}
