/**
 * Shape rules of the IR's op kinds: output shapes from input shapes and attributes, and the checks validation
 * runs. Pure functions over plain arrays; errors are returned as strings (naming the dims), never thrown.
 */
import type { ConvAttrs, DotAttrs, PoolAttrs } from './types.ts';

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function product(shape: Shape, dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= shape[d];
  return n;
}

/** Dims of `rank` not listed in `used`, in order (the free dims of a dot operand). */
export function freeDims(rank: number, used: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < rank; i++) if (!used.includes(i)) out.push(i);
  return out;
}

/** Problems with a dot's dimension numbers for these operand shapes; empty when consistent. */
export function dotShapeErrors(lhs: Shape, rhs: Shape, a: DotAttrs): string[] {
  const errors: string[] = [];
  if (a.lhsBatch.length !== a.rhsBatch.length) errors.push(`batch dim counts differ: lhs ${a.lhsBatch.length} vs rhs ${a.rhsBatch.length}`);
  if (a.lhsContract.length !== a.rhsContract.length) errors.push(`contracting dim counts differ: lhs ${a.lhsContract.length} vs rhs ${a.rhsContract.length}`);
  for (const [side, shape, dims] of [['lhs', lhs, [...a.lhsBatch, ...a.lhsContract]], ['rhs', rhs, [...a.rhsBatch, ...a.rhsContract]]] as const) {
    for (const d of dims) if (d < 0 || d >= shape.length) errors.push(`${side} dim ${d} out of range for rank ${shape.length}`);
    if (new Set(dims).size !== dims.length) errors.push(`${side} dim listed twice in batch/contracting dims`);
  }
  if (errors.length) return errors;
  a.lhsContract.forEach((l, i) => {
    const r = a.rhsContract[i];
    if (lhs[l] !== rhs[r]) errors.push(`contracting dims differ: lhs[${l}]=${lhs[l]} vs rhs[${r}]=${rhs[r]}`);
  });
  a.lhsBatch.forEach((l, i) => {
    const r = a.rhsBatch[i];
    if (lhs[l] !== rhs[r]) errors.push(`batch dims differ: lhs[${l}]=${lhs[l]} vs rhs[${r}]=${rhs[r]}`);
  });
  return errors;
}

/** dot_general output: batch dims, then lhs free dims, then rhs free dims (StableHLO order). */
export function dotOutputShape(lhs: Shape, rhs: Shape, a: DotAttrs): number[] {
  return [
    ...a.lhsBatch.map((d) => lhs[d]),
    ...freeDims(lhs.length, [...a.lhsBatch, ...a.lhsContract]).map((d) => lhs[d]),
    ...freeDims(rhs.length, [...a.rhsBatch, ...a.rhsContract]).map((d) => rhs[d]),
  ];
}

/** Where an operand dim lands in the dot output, or undefined when it is contracted. */
export function dotOutputDim(side: 'lhs' | 'rhs', dim: number, lhsRank: number, a: DotAttrs): number | undefined {
  const batch = side === 'lhs' ? a.lhsBatch : a.rhsBatch;
  const contract = side === 'lhs' ? a.lhsContract : a.rhsContract;
  const b = batch.indexOf(dim);
  if (b >= 0) return b;
  if (contract.includes(dim)) return undefined;
  // Free dims keep their order, so the index among the free dims below `dim` is its place.
  const before = freeDims(dim + 1, [...batch, ...contract]).length - 1;
  if (side === 'lhs') return batch.length + before;
  return batch.length + (lhsRank - a.lhsBatch.length - a.lhsContract.length) + before;
}

/** Output length of one windowed dim (convolution or pooling). */
export function windowedDim(size: number, window: number, stride: number, pad: readonly [number, number] = [0, 0], dilation = 1): number {
  return Math.floor((size + pad[0] + pad[1] - dilation * (window - 1) - 1) / stride) + 1;
}

/** Convolution output shape; the output uses the same dim layout as the input (batch, feature, spatial). */
export function convOutputShape(input: Shape, kernel: Shape, a: ConvAttrs): number[] {
  const out = new Array<number>(input.length).fill(0);
  out[a.outputBatchDim] = input[a.inputBatchDim];
  out[a.outputFeatureDim] = kernel[a.kernelOutputFeatureDim];
  a.outputSpatialDims.forEach((od, i) => {
    out[od] = windowedDim(input[a.inputSpatialDims[i]], kernel[a.kernelSpatialDims[i]], a.strides[i] ?? 1, a.padding?.[i], a.dilations?.[i]);
  });
  return out;
}

export function convShapeErrors(input: Shape, kernel: Shape, a: ConvAttrs): string[] {
  const errors: string[] = [];
  if (input.length !== kernel.length) return [`input rank ${input.length} differs from kernel rank ${kernel.length}`];
  const cin = input[a.inputFeatureDim];
  const kin = kernel[a.kernelInputFeatureDim];
  if (cin !== kin * a.featureGroupCount) {
    errors.push(`input features ${cin} != kernel input features ${kin} x groups ${a.featureGroupCount}`);
  }
  return errors;
}

export function poolOutputShape(input: Shape, a: PoolAttrs): number[] {
  return input.map((d, i) => windowedDim(d, a.window[i] ?? 1, a.strides[i] ?? 1, a.padding?.[i]));
}

/** numpy-style broadcast of shapes aligned at the trailing dim; undefined when incompatible. */
export function broadcastShapes(shapes: readonly Shape[]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      if (s[i] === out[o] || s[i] === 1) continue;
      if (out[o] !== 1) return undefined;
      out[o] = s[i];
    }
  }
  return out;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}
