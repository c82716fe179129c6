/**
 * Strategy enumeration of anchor ops (those a node of the cost graph is built around; alpa.md §1.2): dot (with
 * batch dims), convolution, gather, scatter, constants, and a generic fallback for ops that follow nothing.
 * Follow ops (elementwise, reductions, reshapes ...) are in follow.ts; source tensors (parameters, inputs) take
 * every divisible spec (specs.ts divisibleSpecs).
 */
import type { ConvAttrs, DotAttrs, Op, Tensor } from '../ir/types.ts';
import { DTYPE_BYTES } from '../ir/types.ts';
import { type IterDim, type IterOperand, iterationStrategies, type OpStrategy } from './iterationSpace.ts';
import { divisibleSpecs, formatSpec, type MeshCtx, replicatedSpec, type Spec, specTiles } from './specs.ts';

export type { OpStrategy } from './iterationSpace.ts';

export interface StrategyCtx {
  readonly mesh: MeshCtx;
  readonly training: boolean;
  readonly tensor: (id: string) => Tensor;
  /** Whether a gradient must flow back into this tensor through the op (activations only). */
  readonly needsGrad: (id: string) => boolean;
  /** Bytes of the whole tensor at the training precision. */
  readonly bytes: (id: string) => number;
}

const FLOAT_DTYPES: ReadonlySet<string> = new Set(['f64', 'f32', 'tf32', 'f16', 'bf16', 'f8']);

/** Bytes of a tensor with floating elements stored at `floatBytes` each (the precision's width). */
export function tensorBytesAt(t: Tensor, floatBytes: number): number {
  return t.shape.reduce((p, d) => p * d, 1) * (FLOAT_DTYPES.has(t.dtype) ? floatBytes : DTYPE_BYTES[t.dtype]);
}

function operand(ctx: StrategyCtx, id: string): IterOperand {
  const t = ctx.tensor(id);
  return { rank: t.shape.length, bytes: ctx.bytes(id), needsGrad: ctx.needsGrad(id) };
}

function outInfo(ctx: StrategyCtx, op: Op): { rank: number; bytes: number } {
  return { rank: ctx.tensor(op.outputs[0]).shape.length, bytes: ctx.bytes(op.outputs[0]) };
}

/** dot_general: output dims = batch, lhs free, rhs free (StableHLO). */
function dotDims(op: Op, a: DotAttrs, ctx: StrategyCtx): IterDim[] {
  const lhs = ctx.tensor(op.inputs[0]).shape;
  const rhs = ctx.tensor(op.inputs[1]).shape;
  const dims: IterDim[] = [];
  let o = 0;
  a.lhsBatch.forEach((l, i) => dims.push({ cls: 'b', size: lhs[l], inputDims: [l, a.rhsBatch[i]], outDim: o++ }));
  lhs.forEach((s, l) => {
    if (!a.lhsBatch.includes(l) && !a.lhsContract.includes(l)) dims.push({ cls: 'm', size: s, inputDims: [l, undefined], outDim: o++ });
  });
  rhs.forEach((s, r) => {
    if (!a.rhsBatch.includes(r) && !a.rhsContract.includes(r)) dims.push({ cls: 'n', size: s, inputDims: [undefined, r], outDim: o++ });
  });
  a.lhsContract.forEach((l, i) => dims.push({ cls: 'k', size: lhs[l], inputDims: [l, a.rhsContract[i]] }));
  return dims;
}

/** Convolution: batch (m), output feature (n), input feature (k); spatial dims stay whole. Grouped convs split batch only. */
function convDims(op: Op, a: ConvAttrs, ctx: StrategyCtx): IterDim[] {
  const x = ctx.tensor(op.inputs[0]).shape;
  const w = ctx.tensor(op.inputs[1]).shape;
  const dims: IterDim[] = [{ cls: 'm', size: x[a.inputBatchDim], inputDims: [a.inputBatchDim, undefined], outDim: a.outputBatchDim }];
  if (a.featureGroupCount === 1) {
    dims.push({ cls: 'n', size: w[a.kernelOutputFeatureDim], inputDims: [undefined, a.kernelOutputFeatureDim], outDim: a.outputFeatureDim });
    dims.push({ cls: 'k', size: x[a.inputFeatureDim], inputDims: [a.inputFeatureDim, a.kernelInputFeatureDim] });
  }
  return dims;
}

/** Gather(table, indices) along `axis`: output = table[:axis] ++ indices ++ table[axis+1:]. Splitting the table's
 * gathered dim is Megatron's vocab-parallel embedding (partial rows, all-reduced). */
function gatherDims(op: Op, axis: number, ctx: StrategyCtx): IterDim[] | undefined {
  const table = ctx.tensor(op.inputs[0]).shape;
  const idx = ctx.tensor(op.inputs[1]).shape;
  const out = ctx.tensor(op.outputs[0]).shape;
  if (out.length !== table.length - 1 + idx.length) return undefined;
  const dims: IterDim[] = [];
  for (let t = 0; t < axis; t++) dims.push({ cls: 'n', size: table[t], inputDims: [t, undefined], outDim: t });
  idx.forEach((s, i) => dims.push({ cls: i === 0 ? 'b' : 'm', size: s, inputDims: [undefined, i], outDim: axis + i }));
  for (let t = axis + 1; t < table.length; t++) dims.push({ cls: 'n', size: table[t], inputDims: [t, undefined], outDim: t - 1 + idx.length });
  dims.push({ cls: 'k', size: table[axis], inputDims: [axis, undefined] });
  return dims;
}

/** Right-aligned broadcasting: an input dim of the output's size takes the output's sharding, others stay whole. */
export function alignSpec(outSpec: Spec, outShape: readonly number[], inShape: readonly number[]): Spec {
  const off = outShape.length - inShape.length;
  return inShape.map((s, i) => (i + off >= 0 && outShape[i + off] === s ? outSpec[i + off] : 'R'));
}

/** Every divisible spec of the output, each input consuming the broadcast-aligned spec; no communication. */
function genericStrategies(op: Op, ctx: StrategyCtx): OpStrategy[] {
  if (op.outputs.length === 0) return [{ name: 'R', inputSpecs: op.inputs.map((i) => replicatedSpec(ctx.tensor(i).shape.length)), outputSpecs: [], shardFactor: 1, forwardComm: [], backwardComm: [] }];
  const outShape = ctx.tensor(op.outputs[0]).shape;
  const specs = divisibleSpecs(outShape, ctx.mesh);
  return specs.map((spec) => ({
    name: formatSpec(spec),
    inputSpecs: op.inputs.map((i) => alignSpec(spec, outShape, ctx.tensor(i).shape)),
    outputSpecs: op.outputs.map((o) => alignSpec(spec, outShape, ctx.tensor(o).shape)),
    shardFactor: specTiles(spec, ctx.mesh),
    forwardComm: [],
    backwardComm: [],
  }));
}

/**
 * Scatter / dynamic-update-slice (operand, indices..., updates): a dim may split where every other operand has the
 * operand's size at that position (left-aligned, e.g. batch and sequence dims of a label scatter); the dims written
 * through indices stay whole. Each operand consumes the matching splits.
 */
function scatterStrategies(op: Op, ctx: StrategyCtx): OpStrategy[] {
  const outShape = ctx.tensor(op.outputs[0]).shape;
  const others = op.inputs.slice(1).map((i) => ctx.tensor(i).shape).filter((s) => s.length > 0);
  const whole = outShape.map((_, d) => d).filter((d) => others.some((s) => s[d] !== outShape[d]));
  const leftAligned = (spec: Spec, shape: readonly number[]): Spec => shape.map((n, d) => (outShape[d] === n ? spec[d] : 'R'));
  return divisibleSpecs(outShape, ctx.mesh).filter((sp) => whole.every((d) => sp[d] === 'R')).map((spec) => ({
    name: formatSpec(spec),
    inputSpecs: op.inputs.map((i) => leftAligned(spec, ctx.tensor(i).shape)),
    outputSpecs: op.outputs.map((o) => leftAligned(spec, ctx.tensor(o).shape)),
    shardFactor: specTiles(spec, ctx.mesh),
    forwardComm: [],
    backwardComm: [],
  }));
}

/** The strategies of an anchor op on the mesh; never empty (the replicated one always exists). */
export function anchorStrategies(op: Op, ctx: StrategyCtx): OpStrategy[] {
  const out = outInfo(ctx, op);
  const inputs = op.inputs.map((i) => operand(ctx, i));
  if (op.kind === 'dot' && op.attrs.kind === 'dot' && op.inputs.length >= 2) {
    return iterationStrategies(dotDims(op, op.attrs, ctx), inputs.slice(0, 2), out, ctx.mesh, ctx.training);
  }
  if (op.kind === 'conv' && op.attrs.kind === 'conv' && op.inputs.length >= 2) {
    return iterationStrategies(convDims(op, op.attrs, ctx), inputs.slice(0, 2), out, ctx.mesh, ctx.training);
  }
  if (op.kind === 'gather' && op.inputs.length >= 2) {
    const axis = op.attrs.kind === 'gather' ? op.attrs.axis : 0;
    const dims = gatherDims(op, axis, ctx);
    if (dims) return iterationStrategies(dims, inputs.slice(0, 2), out, ctx.mesh, ctx.training);
  }
  if (op.kind === 'constant' || op.inputs.length === 0) {
    return [{ name: 'R', inputSpecs: [], outputSpecs: op.outputs.map((o) => replicatedSpec(ctx.tensor(o).shape.length)), shardFactor: 1, forwardComm: [], backwardComm: [] }];
  }
  if (op.kind === 'scatter') return scatterStrategies(op, ctx);
  return genericStrategies(op, ctx);
}
