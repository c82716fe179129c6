/**
 * FLOPs and memory traffic of one op execution, from its kind, attributes and tensor shapes. The builder stores
 * them on each op; rebatch re-evaluates them for new shapes. Shapes may hold fractional sizes (rebatch passes the
 * exact scaled batch), every formula is a polynomial in the dims, linear in each one.
 */
import { DTYPE_BYTES } from './types.ts';
import type { DType, OpAttrs, OpKind } from './types.ts';
import { numel, product } from './shapes.ts';

export interface TensorShape {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** FLOPs per output element of elementwise functions; a plain add/mul/compare counts 1. */
const ELEMENTWISE_FLOPS: Readonly<Record<string, number>> = {
  gelu: 8, tanh: 4, erf: 4, exp: 2, log: 2, sigmoid: 4, silu: 5, swiglu: 6, softplus: 4, rsqrt: 2, sqrt: 2,
  pow: 2, rotary: 3, copy: 0, convert: 0,
};

export function tensorBytes(t: TensorShape): number {
  return numel(t.shape) * DTYPE_BYTES[t.dtype];
}

export function opFlops(kind: OpKind, attrs: OpAttrs, inputs: readonly TensorShape[], outputs: readonly TensorShape[]): number {
  const out = outputs[0] ? numel(outputs[0].shape) : 0;
  const in0 = inputs[0] ? numel(inputs[0].shape) : 0;
  switch (kind) {
    case 'dot': {
      if (attrs.kind !== 'dot' || !inputs[0]) return 0;
      // 2 * prod(batch) * M * N * K = 2 * numel(out) * K
      return 2 * out * product(inputs[0].shape, attrs.lhsContract);
    }
    case 'conv': {
      if (attrs.kind !== 'conv' || !inputs[1]) return 0;
      const kernel = inputs[1].shape;
      // 2 * N * Cout * outSpatial * (Cin / groups) * kernelSpatial
      return 2 * out * kernel[attrs.kernelInputFeatureDim] * product(kernel, attrs.kernelSpatialDims);
    }
    case 'elementwise': {
      const fn = attrs.kind === 'elementwise' ? attrs.fn : '';
      const perElement = ELEMENTWISE_FLOPS[fn] ?? Math.max(1, inputs.length - 1);
      return out * perElement;
    }
    case 'reduce': return in0;
    case 'softmax': return 5 * in0; // max, subtract, exp, sum, divide
    case 'layernorm': return (attrs.kind === 'norm' && attrs.rms ? 4 : 8) * in0;
    case 'batchnorm': return 8 * in0;
    case 'pool': return attrs.kind === 'pool' ? out * numel(attrs.window) : out;
    case 'scatter': return inputs[2] ? numel(inputs[2].shape) : out;
    case 'optimizer': return 10 * in0; // Adam: moments, bias correction, update
    default: return 0; // data movement only
  }
}

/** Bytes read by one execution, unfused. Reshape is a view (free); gather and slice read only what they emit. */
export function opBytesRead(kind: OpKind, inputs: readonly TensorShape[], outputs: readonly TensorShape[]): number {
  switch (kind) {
    case 'reshape': case 'constant': return 0;
    case 'gather': return (inputs[1] ? tensorBytes(inputs[1]) : 0) + sumBytes(outputs);
    case 'slice': return sumBytes(outputs);
    default: return sumBytes(inputs);
  }
}

export function opBytesWritten(kind: OpKind, outputs: readonly TensorShape[]): number {
  return kind === 'reshape' || kind === 'constant' ? 0 : sumBytes(outputs);
}

function sumBytes(ts: readonly TensorShape[]): number {
  let n = 0;
  for (const t of ts) n += tensorBytes(t);
  return n;
}
