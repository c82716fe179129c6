/** The optimizer update's time, once per step on the state a device holds. */
import type { GpuSpec } from '../cluster/types.ts';
import { precisionBytes } from './memory.ts';
import type { Precision } from './precision.ts';

/** Adam: read parameter, gradient, moments (and master), write parameter, moments (and master). */
export function optimizerSeconds(gpu: GpuSpec, precision: Precision, paramsPerDevice: number, tensorsPerDevice: number): number {
  const b = precisionBytes(precision);
  const bytes = paramsPerDevice * (2 * b.paramBytes + b.gradBytes + 2 * (b.optimizerBytes + b.masterBytes));
  return bytes / (gpu.hbmBandwidthBytesPerSecond * gpu.memoryEfficiency) + tensorsPerDevice * gpu.launchSeconds;
}
