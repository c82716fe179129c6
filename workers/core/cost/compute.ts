/**
 * Compute time of one op on one device: roofline max(flops / (peak x efficiency), bytes / (HBM bw x eff)) + launch.
 */
import type { ComputeDType, GpuSpec } from '../cluster/types.ts';

export function matmulEfficiency(gpu: GpuSpec, flops: number): number {
  const pts = gpu.matmulEfficiency.points;
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

/** Seconds for a kernel doing `flops` (dense matmul/conv flops; 0 for memory-bound ops) and moving `bytes`. */
export function kernelSeconds(gpu: GpuSpec, dtype: ComputeDType, flops: number, bytes: number, isMatmul: boolean): number {
  const peak = gpu.peakFlopsPerSecond[dtype];
  const eff = isMatmul ? matmulEfficiency(gpu, flops) : 1;
  const computeS = flops > 0 ? flops / (peak * eff) : 0;
  const memS = bytes / (gpu.hbmBandwidthBytesPerSecond * gpu.memoryEfficiency);
  return Math.max(computeS, memS) + gpu.launchSeconds;
}
