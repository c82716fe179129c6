/**
 * Compute time of one kernel on one device: roofline max(flops / (peak x efficiency), bytes / (HBM bw x eff)) +
 * launch. GEMMs use the GPU's shape-aware tiling model when it has one (matmulSeconds), else the FLOP-only curve.
 */
import type { ComputeDType, EfficiencyCurve, GpuSpec } from '../cluster/types.ts';

/** Piecewise-linear value of an efficiency curve at log10(flops), clamped at both ends. */
export function curveValue(curve: EfficiencyCurve, flops: number): number {
  const pts = curve.points;
  const x = Math.log10(Math.max(flops, 1));
  if (x <= pts[0][0]) return pts[0][1];
  for (let i = 1; i < pts.length; i++) {
    if (x <= pts[i][0]) {
      const [x0, y0] = pts[i - 1];
      const [x1, y1] = pts[i];
      return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
  }
  return pts[pts.length - 1][1];
}

/** Fraction of peak a GEMM of `flops` reaches by the GPU's FLOP-only curve. */
export function matmulEfficiency(gpu: GpuSpec, flops: number): number {
  return curveValue(gpu.matmulEfficiency, flops);
}

/** A (batched) GEMM: batch x [m, k] @ [k, n]. */
export interface MatmulShape {
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

export function matmulFlops(s: MatmulShape): number {
  return 2 * s.batch * s.m * s.n * s.k;
}

/**
 * Fraction of peak a GEMM of this shape reaches: wave quantisation of tileM x tileN output tiles over the SMs,
 * the per-tile K-loop overhead, and the GPU's FLOP curve. Without tiling data: the FLOP-only curve.
 */
export function matmulShapeEfficiency(gpu: GpuSpec, s: MatmulShape): number {
  const t = gpu.matmulTiling;
  const flops = matmulFlops(s);
  if (!t) return matmulEfficiency(gpu, flops);
  const tiles = s.batch * Math.ceil(s.m / t.tileM) * Math.ceil(s.n / t.tileN);
  const waves = Math.ceil(tiles / t.multiprocessors);
  const waveUtilisation = tiles / (waves * t.multiprocessors);
  const kUtilisation = s.k / (s.k + t.kOverheadElements);
  return curveValue(t.efficiency, flops) * waveUtilisation * kUtilisation;
}

/** Seconds of one GEMM kernel (shape-aware), including its launch; bounded below by its HBM traffic. */
export function matmulSeconds(gpu: GpuSpec, dtype: ComputeDType, s: MatmulShape, elementBytes = 2): number {
  const flops = matmulFlops(s);
  if (flops <= 0) return 0;
  const computeSeconds = flops / (gpu.peakFlopsPerSecond[dtype] * matmulShapeEfficiency(gpu, s));
  const bytes = elementBytes * s.batch * (s.m * s.k + s.k * s.n + s.m * s.n);
  const memorySeconds = bytes / (gpu.hbmBandwidthBytesPerSecond * gpu.memoryEfficiency);
  return Math.max(computeSeconds, memorySeconds) + gpu.launchSeconds;
}

/** Seconds a memory-bound kernel moving `bytes` takes (fused: an XLA/Triton fusion such as softmax or layer norm). */
export function memoryBoundSeconds(gpu: GpuSpec, bytes: number, fused = false): number {
  if (bytes <= 0) return 0;
  const eff = fused ? (gpu.fusedMemoryEfficiency ?? gpu.memoryEfficiency) : gpu.memoryEfficiency;
  return bytes / (gpu.hbmBandwidthBytesPerSecond * eff) + gpu.launchSeconds;
}

/** Seconds for a kernel doing `flops` (dense matmul/conv flops; 0 for memory-bound ops) and moving `bytes`. */
export function kernelSeconds(gpu: GpuSpec, dtype: ComputeDType, flops: number, bytes: number, isMatmul: boolean): number {
  const peak = gpu.peakFlopsPerSecond[dtype];
  const eff = isMatmul ? matmulEfficiency(gpu, flops) : 1;
  const computeS = flops > 0 ? flops / (peak * eff) : 0;
  const memS = bytes / (gpu.hbmBandwidthBytesPerSecond * gpu.memoryEfficiency);
  return Math.max(computeS, memS) + gpu.launchSeconds;
}
