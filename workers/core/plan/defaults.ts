/** The options a model implies when the user sets none: shared by plan(), the CLI and the page. */
import type { ModelGraph } from '../ir/types.ts';
import type { PlanOptions } from './types.ts';

export function defaultPlanOptions(model: ModelGraph): PlanOptions {
  const fp32 = model.tensors.some((t) => t.kind === 'parameter' && t.dtype === 'f32');
  return {
    mode: model.training === null ? 'infer' : 'train',
    globalBatch: model.batch,
    ...(model.seq !== undefined ? { seq: model.seq } : {}),
    microbatches: 'auto',
    schedule: '1f1b',
    remat: 'auto',
    precision: fp32 ? 'fp32' : 'fp16-mixed',
    layers: 'auto',
  };
}
