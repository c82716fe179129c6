/**
 * The H100-SXM preset against the measurements in ./calibration (copied from ../shared/calibration): bf16 GEMM
 * times and NCCL collective times over two NVLinked GPUs.
 */
import { describe, expect, it } from 'vitest';
import computeData from './calibration/h100-sxm-compute.json' with { type: 'json' };
import ncclData from './calibration/h100-sxm-nvlink-2gpu-collectives.json' with { type: 'json' };
import { GPU_PRESETS, H100_NVLINK } from '../cluster/presets.ts';
import { matmulSeconds } from './compute.ts';
import { collectiveSeconds } from './collectives.ts';
import type { CollectiveKind } from './collectives.ts';

const h100 = GPU_PRESETS['H100-SXM'];
/** Below this a measured GEMM sits on PyTorch's dispatch floor (17-30 us, not monotone in size: 1024^3 takes
 * 17 us, 1024x768x768 29 us, 256^3 25 us); no size-based model can order those, so they get a looser bound. */
const DISPATCH_FLOOR_SECONDS = 35e-6;

const relErr = (predicted: number, measured: number) => predicted / measured - 1;

describe('H100-SXM GEMM model vs calibration (bf16)', () => {
  const rows = computeData.matmul.filter((r) => r.dtype === 'bfloat16');
  const errors = rows.map((r) => ({
    shape: `${r.m}x${r.n}x${r.k}`,
    measuredSeconds: r.s,
    error: relErr(matmulSeconds(h100, 'bf16', { batch: 1, m: r.m, n: r.n, k: r.k }), r.s),
  }));
  const above = errors.filter((e) => e.measuredSeconds >= DISPATCH_FLOOR_SECONDS);
  const floor = errors.filter((e) => e.measuredSeconds < DISPATCH_FLOOR_SECONDS);
  const worst = (xs: typeof errors) => xs.reduce((w, e) => (Math.abs(e.error) > Math.abs(w.error) ? e : w));

  it('reproduces every product above the dispatch floor within 15%', () => {
    const w = worst(above);
    console.log(`matmul: ${above.length} rows >= 35 us, worst ${w.shape} ${(100 * w.error).toFixed(1)}%`);
    expect(above.length).toBe(45);
    for (const e of above) expect(Math.abs(e.error), e.shape).toBeLessThan(0.15);
  });

  it('keeps products on the dispatch floor within 50% (timing jitter of ~20 us calls)', () => {
    const w = worst(floor);
    console.log(`matmul: ${floor.length} rows < 35 us, worst ${w.shape} ${(100 * w.error).toFixed(1)}%`);
    for (const e of floor) expect(Math.abs(e.error), e.shape).toBeLessThan(0.5);
  });

  it('gets large square products right in absolute terms', () => {
    const t = matmulSeconds(h100, 'bf16', { batch: 1, m: 8192, n: 8192, k: 8192 });
    expect(t).toBeGreaterThan(1.2e-3);
    expect(t).toBeLessThan(1.6e-3);
  });
});

const KIND: Record<string, CollectiveKind> = {
  all_reduce: 'all-reduce', all_gather: 'all-gather', reduce_scatter: 'reduce-scatter',
  all_to_all: 'all-to-all', send_recv: 'send-recv',
};
/** nccl-tests sizes: all-to-all's is the per-rank buffer; our convention takes the tensor over the axis (n x). */
const fullMessageBytes = (op: string, bytes: number, n: number) => (op === 'all_to_all' ? n * bytes : bytes);
/** reduce-scatter of 128 MiB: 528 us, slower than its own 512 MiB row's bandwidth and 1.8x all-gather of the same
 * size; a measurement outlier no alpha-beta model follows. Reported, not fitted. */
const OUTLIER = { op: 'reduce_scatter', bytes: 134217728 };

describe('NCCL model vs calibration (2 x H100 NVLink)', () => {
  const n = ncclData.world;
  const rows = ncclData.results.filter((r) => r.bytes >= 2 ** 20);
  const errors = rows.map((r) => ({
    label: `${r.op} ${r.bytes} B`,
    outlier: r.op === OUTLIER.op && r.bytes === OUTLIER.bytes,
    error: relErr(collectiveSeconds(KIND[r.op], fullMessageBytes(r.op, r.bytes, n), n, H100_NVLINK), r.s),
  }));

  it('reproduces every collective >= 1 MiB within 15% (one outlier excepted)', () => {
    const fitted = errors.filter((e) => !e.outlier);
    const w = fitted.reduce((a, e) => (Math.abs(e.error) > Math.abs(a.error) ? e : a));
    const o = errors.find((e) => e.outlier)!;
    console.log(`nccl: ${fitted.length} rows, worst ${w.label} ${(100 * w.error).toFixed(1)}%; outlier ${o.label} ${(100 * o.error).toFixed(1)}%`);
    expect(fitted.length).toBe(29);
    for (const e of fitted) expect(Math.abs(e.error), e.label).toBeLessThan(0.15);
  });

  it('prices a 1 GiB all-reduce near the measured 3.2 ms and tiny ones at the ~42 us floor', () => {
    expect(collectiveSeconds('all-reduce', 2 ** 30, 2, H100_NVLINK)).toBeCloseTo(3.53e-3, 4);
    expect(collectiveSeconds('all-reduce', 1024, 2, H100_NVLINK)).toBeCloseTo(42e-6, 7);
  });
});
