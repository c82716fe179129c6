/**
 * Per-device compute seconds of an op under a strategy, from the cost engineer's model (cost/opCost.ts,
 * cost/compute.ts). A replicated op costs its full time on every device; a split op its share. A dot whose
 * strategy splits several GEMM dims is priced on the per-device GEMM shape, with backward = dX + dW GEMMs.
 */
import type { GpuSpec } from '../cluster/types.ts';
import { matmulSeconds } from '../cost/compute.ts';
import { dotShape, opSeconds, type TensorLookup } from '../cost/opCost.ts';
import { activationElementBytes, computeDType } from '../cost/precision.ts';
import type { Op } from '../ir/types.ts';
import type { Precision } from '../cost/precision.ts';
import type { OpStrategy } from './iterationSpace.ts';

export interface ComputeEnv {
  readonly gpu: GpuSpec;
  readonly precision: Precision;
  readonly tensors: TensorLookup;
  readonly training: boolean;
  /** Recompute the forward during backward (activation checkpointing). */
  readonly remat: boolean;
}

export interface ComputeSeconds {
  readonly forwardSeconds: number;
  readonly backwardSeconds: number;
}

function dotSeconds(op: Op, split: NonNullable<OpStrategy['gemmSplit']>, env: ComputeEnv): ComputeSeconds | undefined {
  const full = dotShape(op, env.tensors);
  if (!full) return undefined;
  const s = { batch: full.batch / split.batch, m: full.m / split.m, n: full.n / split.n, k: full.k / split.k };
  const dtype = computeDType(env.precision);
  const eb = activationElementBytes(env.precision);
  const fwd = matmulSeconds(env.gpu, dtype, s, eb);
  const dx = matmulSeconds(env.gpu, dtype, { batch: s.batch, m: s.m, n: s.k, k: s.n }, eb);
  const dw = matmulSeconds(env.gpu, dtype, { batch: s.batch, m: s.k, n: s.n, k: s.m }, eb);
  return { forwardSeconds: fwd, backwardSeconds: dx + dw };
}

export function opComputeSeconds(op: Op, strategy: OpStrategy, env: ComputeEnv): ComputeSeconds {
  const c = (op.kind === 'dot' && strategy.gemmSplit ? dotSeconds(op, strategy.gemmSplit, env) : undefined)
    ?? opSeconds(op, env.tensors, env.gpu, env.precision, strategy.shardFactor);
  if (!env.training) return { forwardSeconds: c.forwardSeconds, backwardSeconds: 0 };
  return { forwardSeconds: c.forwardSeconds, backwardSeconds: c.backwardSeconds + (env.remat ? c.forwardSeconds : 0) };
}
