/**
 * Per-device memory (DESIGN.md "Cost model"): model state by training precision (parameters, gradients, fp32
 * master copy, Adam moments), and the activations a forward keeps for its backward, with and without
 * rematerialisation (remat keeps each layer's input and recomputes the rest, one layer at a time).
 */
import type { ModelGraph, Op, Tensor } from '../ir/types.ts';
import { layerOf } from '../ir/layers.ts';
import type { Precision } from './precision.ts';
import { type ElementWidth, elementWidth, tensorBytesWith } from './fusion.ts';

/** Per-device memory of a stage or plan, split by what holds it. */
export interface MemoryBreakdown {
  readonly paramBytes: number;
  readonly gradBytes: number;
  readonly optimizerBytes: number;
  readonly activationBytes: number;
  readonly temporaryBytes: number;
}

/** Bytes per parameter of each piece of model state. */
export interface PrecisionBytes {
  readonly paramBytes: number;
  readonly gradBytes: number;
  /** fp32 master copy of the weights (mixed precision), 0 when the parameters are the master copy. */
  readonly masterBytes: number;
  /** Optimizer moments per parameter: Adam's first and second (8 B), Adafactor's factored second moment (~0). */
  readonly optimizerBytes: number;
}

/**
 * fp16-mixed / bf16-mixed (Megatron, the paper's runs): 2 + 2 + 4 + 8 = 16 B; bf16-adam32 (the calibration rows):
 * bf16 params and grads, fp32 moments, no master = 12 B; fp32: 4 + 4 + 8 = 16 B.
 * fp16-adafactor (the paper's MoE runs): 2 + 2 + 4 master + 0 = 8 B. Alpa's MoE benchmark
 * (benchmark/alpa/benchmark_3d_one_case_moe.py, create_train_state) trains with alpa/model/model_util.py
 * optax_adafactor at its defaults — momentum None (no first moment), factored with min_dim_size_to_factor 128 — and
 * TrainState's fp32 master copy of fp16 parameters; the DeepSpeed MoE baseline ran Adafactor too
 * (osdi22_artifact/deepspeed/README.md). Its state is one fp32 row and one column vector per matrix, (r + c) x 4 B
 * for r x c elements, plus a full fp32 second moment of each vector (biases, norms): counted as 0 per element, which
 * leaves out ~0.004 B of the 8 on the paper's MoE models (hidden 768-2048; 41 h floats per dense layer of 20 h^2
 * weights), under 0.1%.
 */
export function precisionBytes(p: Precision): PrecisionBytes {
  switch (p) {
    case 'fp16-mixed':
    case 'bf16-mixed': return { paramBytes: 2, gradBytes: 2, masterBytes: 4, optimizerBytes: 8 };
    case 'bf16-adam32': return { paramBytes: 2, gradBytes: 2, masterBytes: 0, optimizerBytes: 8 };
    case 'fp16-adafactor': return { paramBytes: 2, gradBytes: 2, masterBytes: 4, optimizerBytes: 0 };
    case 'fp32': return { paramBytes: 4, gradBytes: 4, masterBytes: 0, optimizerBytes: 8 };
  }
}

export function bytesPerParameter(p: Precision): number {
  const b = precisionBytes(p);
  return b.paramBytes + b.gradBytes + b.masterBytes + b.optimizerBytes;
}

/** How many ways each piece of state is split over devices (ZeRO-1: optimizer, ZeRO-2: + grads, ZeRO-3: + params;
 * tensor parallelism splits all three). 1 = replicated. */
export interface StateSharding {
  readonly params?: number;
  readonly grads?: number;
  readonly optimizer?: number;
}

export interface ModelStateBytes {
  readonly paramBytes: number;
  readonly gradBytes: number;
  /** Master copy + moments. */
  readonly optimizerBytes: number;
}

export function modelStateBytes(paramCount: number, p: Precision, sharding: StateSharding = {}): ModelStateBytes {
  const b = precisionBytes(p);
  return {
    paramBytes: (paramCount * b.paramBytes) / (sharding.params ?? 1),
    gradBytes: (paramCount * b.gradBytes) / (sharding.grads ?? 1),
    optimizerBytes: (paramCount * (b.masterBytes + b.optimizerBytes)) / (sharding.optimizer ?? 1),
  };
}

/** Elementwise functions whose backward needs none of their inputs. */
const LINEAR_ELEMENTWISE = new Set(['add', 'sub', 'neg', 'convert', 'copy', 'bias', 'residual']);

/** Activation tensors the backward of `op` reads (its saved inputs or output). */
export function savedForBackward(op: Op, tensor: (id: string) => Tensor | undefined): Tensor[] {
  const acts = (ids: readonly string[]) => ids.map(tensor).filter((t): t is Tensor => !!t && t.kind === 'activation');
  switch (op.kind) {
    case 'dot': case 'conv': case 'layernorm': case 'batchnorm': case 'pool': case 'reduce': return acts(op.inputs);
    case 'softmax': return acts(op.outputs);
    case 'elementwise':
      return op.attrs.kind === 'elementwise' && LINEAR_ELEMENTWISE.has(op.attrs.fn) ? [] : acts(op.inputs);
    default: return [];
  }
}


/**
 * What a framework keeps for the backward. 'minimal': the inputs (or output) each op's backward reads.
 * 'autodiff': what JAX's autodiff of the composed primitives keeps (the rows of calibration/h100-e2e-steps.json):
 * a layer norm keeps its centred input and normalised output, GELU (tanh form) four input-sized intermediates, a
 * masked score its broadcast predicate (1 byte an element). 'fused': Megatron-Core / Transformer Engine's fused
 * kernels: a layer / RMS norm keeps its input and fp32 statistics per row (mean and 1/sigma; RMS: 1/rms only),
 * its output being kept by the linear after it (TE LayerNormLinear, apex FusedLayerNorm / FusedRMSNorm); bias-GeLU
 * keeps its input (Megatron's bias_gelu fusion), bias-SwiGLU its input [gate, up] (bias_swiglu); scale, causal mask
 * and softmax are one kernel keeping the softmax's output (ScaledUpperTriangMaskedSoftmax); rotary nothing. Measured on the H100
 * (calibration/h100-llama-block-memory.json: Llama and GPT blocks, to the byte).
 */
export type ResidualPolicy = 'minimal' | 'autodiff' | 'fused';

/** Bytes of a fused norm's fp32 statistics per row. */
const NORM_STAT_BYTES = 4;

export interface ActivationOptions {
  readonly opIds?: readonly string[];
  readonly precision: Precision;
  readonly remat: boolean;
  /** Ways the activations are split over devices (data or tensor parallel on batch/hidden dims). */
  readonly shardFactor?: number;
  /** Per saved tensor of an op: the ways it is split (overrides shardFactor; tensor parallelism splits some). */
  readonly divisor?: (op: Op, t: Tensor) => number;
  readonly residuals?: ResidualPolicy;
  /** The model computes layer norm and softmax in fp32 (their residuals are fp32). */
  readonly normsInFp32?: boolean;
}

export interface ActivationBytes {
  /** Kept from forward to backward for one micro-batch. */
  readonly savedBytes: number;
  /** Extra live only while one layer is recomputed and differentiated (remat), or 0. */
  readonly transientBytes: number;
  /** The largest single saved tensor (its gradient is live at the same time during backward). */
  readonly largestSavedBytes: number;
  /** Residuals of the repeated blocks (what a layer loop carries from forward to backward without remat). */
  readonly blockResidualBytes: number;
}

interface Residual {
  readonly key: string;
  readonly bytes: number;
}

const numel = (t: Tensor) => t.shape.reduce((s, d) => s * d, 1);

/** The residuals `op` keeps for its backward under a policy, with their bytes on one device (`divisor`: the ways
 * the op splits that tensor). */
export function opResiduals(op: Op, tensor: (id: string) => Tensor | undefined, width: ElementWidth,
  divisor: (t: Tensor) => number, policy: ResidualPolicy, normsInFp32: boolean): Residual[] {
  const bytes = (t: Tensor, elementBytes = width(t)) => (numel(t) * elementBytes) / divisor(t);
  const normWidth = (t: Tensor) => (normsInFp32 ? Math.max(4, width(t)) : width(t));
  const plain = savedForBackward(op, tensor).map((t) => ({ key: t.id, bytes: bytes(t) }));
  const first = tensor(op.inputs[0]);
  if (policy === 'minimal' || !first) return plain;
  switch (op.kind) {
    case 'layernorm':
      if (policy === 'fused') return [{ key: first.id, bytes: bytes(first) }, { key: `${op.id}:stats`, bytes: normStatBytes(op, first) / divisor(first) }];
      return ['centred', 'normalised'].map((k) => ({ key: `${op.id}:${k}`, bytes: bytes(first, normWidth(first)) }));
    case 'softmax': {
      const out = tensor(op.outputs[0]);
      return out ? [{ key: out.id, bytes: bytes(out, normWidth(out)) }] : plain;
    }
    case 'elementwise': {
      const fn = op.attrs.kind === 'elementwise' ? op.attrs.fn : '';
      // Megatron's fused bias-GeLU keeps its input only (recomputing tanh's pieces); its fused scale-mask-softmax
      // keeps the softmax's output only, so the masking keeps nothing; TE's fused rotary embedding, x cos +
      // rotate(x) sin, is linear in x and keeps only the cos/sin tables. (Under 'autodiff' rotary keeps its
      // inputs: the calibrated JAX TinyLlama rows read 1% closer so; not investigated.)
      if (policy === 'fused') return fn.includes('mask') || fn === 'rotary' ? [] : plain;
      if (fn === 'gelu') return [0, 1, 2, 3].map((i) => ({ key: `${op.id}:gelu${i}`, bytes: bytes(first) }));
      if (fn.includes('mask')) return [...plain, { key: `${op.id}:predicate`, bytes: bytes(first, 1) }];
      return plain;
    }
    default: return plain;
  }
}

/** A fused norm's statistics over all rows (whole tensor): one fp32 1/rms per row, or a mean and a 1/sigma. */
function normStatBytes(op: Op, input: Tensor): number {
  const axes = op.attrs.kind === 'norm' ? op.attrs.axes : [input.shape.length - 1];
  const rows = numel(input) / axes.reduce((s, a) => s * input.shape[a], 1);
  const rms = op.attrs.kind === 'norm' && op.attrs.rms === true;
  return rows * NORM_STAT_BYTES * (rms ? 1 : 2);
}

/**
 * Activations of one micro-batch (the graph's batch) on one device. Without remat every residual is kept; with
 * remat only tensors crossing a layer boundary are kept, and the largest layer's residuals are live again while
 * that layer runs backward.
 */
export function activationBytes(graph: ModelGraph, o: ActivationOptions): ActivationBytes {
  const byId = new Map(graph.tensors.map((t) => [t.id, t]));
  const ops = o.opIds ? new Set(o.opIds) : undefined;
  const f = Math.max(1, o.shardFactor ?? 1);
  const width = elementWidth(graph, o.precision);
  const div = o.divisor ?? (() => f);
  const saved = new Map<string, { bytes: number; layer: string }>();
  const producerLayer = new Map<string, string>();
  for (const op of graph.ops) {
    if (ops && !ops.has(op.id)) continue;
    const layer = layerOf(op.path)?.prefix ?? '';
    for (const out of op.outputs) producerLayer.set(out, layer);
    for (const r of opResiduals(op, (id) => byId.get(id), width, (t) => div(op, t), o.residuals ?? 'minimal', o.normsInFp32 ?? false)) {
      if (!saved.has(r.key)) saved.set(r.key, { bytes: r.bytes, layer: producerLayer.get(r.key) ?? layer });
    }
  }
  let all = 0;
  let largestSavedBytes = 0;
  const perLayer = new Map<string, number>();
  for (const s of saved.values()) {
    all += s.bytes;
    largestSavedBytes = Math.max(largestSavedBytes, s.bytes);
    perLayer.set(s.layer, (perLayer.get(s.layer) ?? 0) + s.bytes);
  }
  const blockResidualBytes = all - (perLayer.get('') ?? 0);
  if (!o.remat) return { savedBytes: all, transientBytes: 0, largestSavedBytes, blockResidualBytes };
  // Remat: keep what crosses into a layer from outside it (layer inputs) and everything outside the blocks.
  let boundary = perLayer.get('') ?? 0;
  let largestLayer = 0;
  for (const [layer, bytes] of perLayer) if (layer !== '') largestLayer = Math.max(largestLayer, bytes);
  const crossing = new Set<string>();
  for (const op of graph.ops) {
    if (ops && !ops.has(op.id)) continue;
    const layer = layerOf(op.path)?.prefix;
    if (!layer) continue;
    for (const id of op.inputs) {
      const t = byId.get(id);
      const from = producerLayer.get(id);
      if (t && t.kind === 'activation' && from !== undefined && from !== layer && !crossing.has(id)) {
        crossing.add(id);
        boundary += tensorBytesWith(t, width) / div(op, t);
      }
    }
  }
  return { savedBytes: boundary, transientBytes: largestLayer, largestSavedBytes, blockResidualBytes };
}

/** Sum of a breakdown (the per-device total). */
export function totalMemoryBytes(m: MemoryBreakdown): number {
  return m.paramBytes + m.gradBytes + m.optimizerBytes + m.activationBytes + m.temporaryBytes;
}
