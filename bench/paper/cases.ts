/**
 * The paper's 21 evaluation cases (../shared/reference/paper-eval.json, Alpa OSDI'22 artifact): model, cluster
 * shape on p3.16xlarge, global batch, precision and the measured Alpa TFLOP/s per GPU. run.ts reads the full file
 * for every system's measurements; tests use this table. MoE cases train with Adafactor (fp16-adafactor), as Alpa's MoE
 * benchmark and its DeepSpeed baseline did (cost/memory.ts precisionBytes cites the files); GPT with Adam.
 */
import type { Precision } from '../../workers/core/plan/types.ts';

export interface PaperCase {
  readonly id: string;
  /** zoo name */
  readonly zoo: string;
  readonly family: 'gpt' | 'moe' | 'wresnet';
  readonly nodes: number;
  readonly gpusPerNode: number;
  readonly globalBatch: number;
  readonly precision: Precision;
  /** Measured Alpa TFLOP/s per GPU (recomputation counted). */
  readonly alpaTflops: number;
}

export const PAPER_CASES: readonly PaperCase[] = [
  { id: 'gpt-350M-1gpu', zoo: 'gpt-350M', family: 'gpt', nodes: 1, gpusPerNode: 1, globalBatch: 1024, precision: 'fp16-mixed', alpaTflops: 45.07 },
  { id: 'gpt-760M-2gpu', zoo: 'gpt-760M', family: 'gpt', nodes: 1, gpusPerNode: 2, globalBatch: 1024, precision: 'fp16-mixed', alpaTflops: 57.92 },
  { id: 'gpt-1.3B-4gpu', zoo: 'gpt-1.3B', family: 'gpt', nodes: 1, gpusPerNode: 4, globalBatch: 1024, precision: 'fp16-mixed', alpaTflops: 58.21 },
  { id: 'gpt-2.6B-8gpu', zoo: 'gpt-2.6B', family: 'gpt', nodes: 1, gpusPerNode: 8, globalBatch: 1024, precision: 'fp16-mixed', alpaTflops: 61.61 },
  { id: 'gpt-6.7B-16gpu', zoo: 'gpt-6.7B', family: 'gpt', nodes: 2, gpusPerNode: 8, globalBatch: 1024, precision: 'fp16-mixed', alpaTflops: 60.0 },
  { id: 'gpt-15B-32gpu', zoo: 'gpt-15B', family: 'gpt', nodes: 4, gpusPerNode: 8, globalBatch: 1024, precision: 'fp16-mixed', alpaTflops: 59.9 },
  { id: 'gpt-39B-64gpu', zoo: 'gpt-39B', family: 'gpt', nodes: 8, gpusPerNode: 8, globalBatch: 1024, precision: 'fp16-mixed', alpaTflops: 57 },
  { id: 'moe-380M-1gpu', zoo: 'moe-380M', family: 'moe', nodes: 1, gpusPerNode: 1, globalBatch: 1024, precision: 'fp16-adafactor', alpaTflops: 45.4621 },
  { id: 'moe-690M-2gpu', zoo: 'moe-690M', family: 'moe', nodes: 1, gpusPerNode: 2, globalBatch: 1024, precision: 'fp16-adafactor', alpaTflops: 43.03 },
  { id: 'moe-1.3B-4gpu', zoo: 'moe-1.3B', family: 'moe', nodes: 1, gpusPerNode: 4, globalBatch: 1024, precision: 'fp16-adafactor', alpaTflops: 39.92 },
  { id: 'moe-2.4B-8gpu', zoo: 'moe-2.4B', family: 'moe', nodes: 1, gpusPerNode: 8, globalBatch: 1024, precision: 'fp16-adafactor', alpaTflops: 45.76 },
  { id: 'moe-10B-16gpu', zoo: 'moe-10B', family: 'moe', nodes: 2, gpusPerNode: 8, globalBatch: 1024, precision: 'fp16-adafactor', alpaTflops: 45.36 },
  { id: 'moe-27B-32gpu', zoo: 'moe-27B', family: 'moe', nodes: 4, gpusPerNode: 8, globalBatch: 1024, precision: 'fp16-adafactor', alpaTflops: 38.84 },
  { id: 'moe-70B-64gpu', zoo: 'moe-70B', family: 'moe', nodes: 8, gpusPerNode: 8, globalBatch: 1024, precision: 'fp16-adafactor', alpaTflops: 36.55 },
  { id: 'wresnet-250M-1gpu', zoo: 'wresnet-250M', family: 'wresnet', nodes: 1, gpusPerNode: 1, globalBatch: 1536, precision: 'fp32', alpaTflops: 8.3 },
  { id: 'wresnet-500M-2gpu', zoo: 'wresnet-500M', family: 'wresnet', nodes: 1, gpusPerNode: 2, globalBatch: 1536, precision: 'fp32', alpaTflops: 8.46 },
  { id: 'wresnet-1B-4gpu', zoo: 'wresnet-1B', family: 'wresnet', nodes: 1, gpusPerNode: 4, globalBatch: 1536, precision: 'fp32', alpaTflops: 8.16 },
  { id: 'wresnet-2B-8gpu', zoo: 'wresnet-2B', family: 'wresnet', nodes: 1, gpusPerNode: 8, globalBatch: 1536, precision: 'fp32', alpaTflops: 8.04 },
  { id: 'wresnet-4B-16gpu', zoo: 'wresnet-4B', family: 'wresnet', nodes: 2, gpusPerNode: 8, globalBatch: 1536, precision: 'fp32', alpaTflops: 6.76 },
  { id: 'wresnet-6.8B-32gpu', zoo: 'wresnet-6.8B', family: 'wresnet', nodes: 4, gpusPerNode: 8, globalBatch: 1520, precision: 'fp32', alpaTflops: 6.6 },
  { id: 'wresnet-13B-64gpu', zoo: 'wresnet-13B', family: 'wresnet', nodes: 8, gpusPerNode: 8, globalBatch: 1520, precision: 'fp32', alpaTflops: 5.3 },
];
