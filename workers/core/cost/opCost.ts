/**
 * Compute seconds of one op on one device, for an op whose work is split `shardFactor` ways (DESIGN.md "Cost
 * model"): GEMMs (dot) by the shape-aware roofline of cost/compute.ts, convolutions by the FLOP curve, memory-bound
 * ops by the bytes they move at the training precision over the HBM bandwidth, each kernel paying a launch.
 * Backward: a matmul's is two GEMMs of the same FLOPs (dX and dW), a memory-bound op's moves ~2x its bytes.
 */
import type { GpuSpec } from '../cluster/types.ts';
import type { DType, ModelGraph, Op, Tensor } from '../ir/types.ts';
import { DTYPE_BYTES } from '../ir/types.ts';
import { activationElementBytes, computeDType, type Precision } from './precision.ts';
import { kernelSeconds, matmulSeconds, type MatmulShape } from './compute.ts';
import { FREE_KINDS, type FusedOpTraffic } from './fusion.ts';

export type TensorLookup = (id: string) => Tensor | undefined;

/** A lookup over a graph's tensors (built once per graph; pass it to every opSeconds call). */
/** Lookups by tensor array: a cache, not state (graphs are immutable; the intra-op pass asks once per solve). */
const lookups = new WeakMap<readonly Tensor[], TensorLookup>();

export function tensorLookup(graph: Pick<ModelGraph, 'tensors'>): TensorLookup {
  let lookup = lookups.get(graph.tensors);
  if (!lookup) {
    const byId = new Map(graph.tensors.map((t) => [t.id, t]));
    lookup = (id) => byId.get(id);
    lookups.set(graph.tensors, lookup);
  }
  return lookup;
}

const FLOAT: ReadonlySet<DType> = new Set(['f64', 'f32', 'tf32', 'f16', 'bf16', 'f8']);

/** An op's unfused bytes moved, re-expressed at the precision's activation width. */
export function opBytesAtPrecision(op: Op, tensors: TensorLookup, p: Precision): number {
  const out = op.outputs.map(tensors).find((t) => t && FLOAT.has(t.dtype));
  // an fp32 output next to 16-bit inputs was made fp32 on purpose (an fp32 LM head): it keeps 4 bytes
  const keepsFp32 = out?.dtype === 'f32' && graphIsLowPrecision(op, tensors);
  const scale = out ? (keepsFp32 ? 1 : activationElementBytes(p) / DTYPE_BYTES[out.dtype]) : 1;
  return (op.bytesRead + op.bytesWritten) * scale;
}

/** Ops XLA / cuDNN run as one fused kernel (several passes over their data inside it). */
const NORM_KINDS = new Set(['layernorm', 'batchnorm']);

/** Fraction of HBM bandwidth a memory-bound kernel of this kind reaches (softmax and norms reduce each row). */
export function memoryEfficiencyFor(gpu: GpuSpec, kind: string): number {
  if (kind === 'softmax') return gpu.softmaxMemoryEfficiency ?? gpu.fusedMemoryEfficiency ?? gpu.memoryEfficiency;
  if (NORM_KINDS.has(kind)) return gpu.fusedMemoryEfficiency ?? gpu.memoryEfficiency;
  return gpu.memoryEfficiency;
}

/** GEMM dims of a dot: batch dims, lhs free (m), rhs free (n), contracting (k). Undefined without shapes. */
export function dotShape(op: Op, tensors: TensorLookup): MatmulShape | undefined {
  if (op.attrs.kind !== 'dot') return undefined;
  const lhs = tensors(op.inputs[0]);
  const rhs = tensors(op.inputs[1]);
  if (!lhs || !rhs) return undefined;
  const a = op.attrs;
  const prod = (shape: readonly number[], dims: readonly number[]) => dims.reduce((s, d) => s * shape[d], 1);
  const free = (shape: readonly number[], used: readonly number[]) =>
    shape.reduce((s, d, i) => (used.includes(i) ? s : s * d), 1);
  return {
    batch: prod(lhs.shape, a.lhsBatch),
    m: free(lhs.shape, [...a.lhsBatch, ...a.lhsContract]),
    n: free(rhs.shape, [...a.rhsBatch, ...a.rhsContract]),
    k: prod(lhs.shape, a.lhsContract),
  };
}

/** Which GEMM dim a shard factor divides: rows (data / sequence split), columns (Megatron column), K (row split). */
export type SplitDim = 'm' | 'n' | 'k';

export interface OpCostOptions {
  readonly split?: SplitDim;
  /** This op's share of its XLA fusion (cost/fusion.ts fusionTraffic): bytes and launches replace the unfused
   * op's own bytes and single launch. */
  readonly fused?: Pick<FusedOpTraffic, 'bytes' | 'launches'>;
}

/**
 * The backward of a memory-bound op reads the saved input and the incoming gradient and writes the outgoing
 * gradient (plus bias / scale gradient reductions): twice the forward's HBM traffic, two kernels.
 */
export const BACKWARD_TRAFFIC_FACTOR = 2;

export interface OpCost {
  readonly forwardSeconds: number;
  readonly backwardSeconds: number;
  /** The part of backwardSeconds that computes parameter gradients (the zero-bubble W pass): a dot's or conv's
   * gradient of a parameter operand; the rest is the input gradient. */
  readonly weightGradientSeconds: number;
  /** FLOPs of the forward on one device. */
  readonly forwardFlops: number;
  readonly bound: 'matmul' | 'memory' | 'free';
}

/** True when some operand of the op is a 16-bit float: then an f32 tensor next to it was made fp32 on purpose. */
function graphIsLowPrecision(op: Op, tensors: TensorLookup): boolean {
  return op.inputs.some((i) => {
    const t = tensors(i);
    return t !== undefined && (t.dtype === 'f16' || t.dtype === 'bf16');
  });
}

function splitShape(s: MatmulShape, f: number, dim: SplitDim): MatmulShape {
  if (f <= 1) return s;
  if (dim === 'm' && s.batch >= f && s.batch % f === 0) return { ...s, batch: s.batch / f };
  return { ...s, [dim]: s[dim] / f };
}

/** A trained weight: its gradient is a W pass. (A weight cast before its dot is an activation here, so its gradient
 * counts as input gradient: imported graphs without batch dimensions would otherwise count every dot.) */
function weightLike(t: Tensor | undefined): boolean {
  return t?.kind === 'parameter';
}

/** Forward and backward seconds of `op` on one device holding 1/shardFactor of its work. */
export function opSeconds(op: Op, tensors: TensorLookup, gpu: GpuSpec, precision: Precision, shardFactor = 1,
  options: OpCostOptions = {}): OpCost {
  const f = Math.max(1, shardFactor);
  if (FREE_KINDS.has(op.kind)) return { forwardSeconds: 0, backwardSeconds: 0, weightGradientSeconds: 0, forwardFlops: 0, bound: 'free' };
  const fp32Out = precision !== 'fp32' && tensors(op.outputs[0])?.dtype === 'f32' && graphIsLowPrecision(op, tensors);
  // A dot the model keeps in fp32 under mixed precision (an fp32 LM head) runs on TF32 tensor cores.
  const dtype = fp32Out && op.kind === 'dot' ? 'tf32' : computeDType(precision);
  const elementBytes = fp32Out ? 4 : activationElementBytes(precision);
  const shape = op.kind === 'dot' ? dotShape(op, tensors) : undefined;
  if (shape) {
    const s = splitShape(shape, f, options.split ?? 'm');
    const fwd = matmulSeconds(gpu, dtype, s, elementBytes);
    // dX = dY W^T (m x k, contracting n) and dW = X^T dY (k x n, contracting m)
    const dx = matmulSeconds(gpu, dtype, { batch: s.batch, m: s.m, n: s.k, k: s.n }, elementBytes);
    const dw = matmulSeconds(gpu, dtype, { batch: s.batch, m: s.k, n: s.n, k: s.m }, elementBytes);
    const w = (weightLike(tensors(op.inputs[0])) ? dx : 0) + (weightLike(tensors(op.inputs[1])) ? dw : 0);
    return { forwardSeconds: fwd, backwardSeconds: dx + dw, weightGradientSeconds: w, forwardFlops: op.flops / f, bound: 'matmul' };
  }
  const bytes = (options.fused ? options.fused.bytes : opBytesAtPrecision(op, tensors, precision)) / f;
  if (op.kind === 'dot' || op.kind === 'conv') {
    const fwd = kernelSeconds(gpu, dtype, op.flops / f, bytes, true);
    return { forwardSeconds: fwd, backwardSeconds: 2 * fwd, weightGradientSeconds: weightLike(tensors(op.inputs[1])) ? fwd : 0, forwardFlops: op.flops / f, bound: 'matmul' };
  }
  const bandwidth = gpu.hbmBandwidthBytesPerSecond * memoryEfficiencyFor(gpu, op.kind);
  const launches = options.fused ? options.fused.launches : 1;
  const fwd = bytes / bandwidth + launches * gpu.launchSeconds;
  const bwd = (BACKWARD_TRAFFIC_FACTOR * bytes) / bandwidth + BACKWARD_TRAFFIC_FACTOR * launches * gpu.launchSeconds;
  return { forwardSeconds: fwd, backwardSeconds: bwd, weightGradientSeconds: 0, forwardFlops: op.flops / f, bound: 'memory' };
}
