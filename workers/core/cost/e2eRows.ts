/**
 * The measured training steps of calibration/h100-e2e-steps.json as inputs of the step model: the model of each
 * row (the zoo GPT at the row's dimensions, LM head in fp32 as the rows ran it) and its forced plan.
 */
import rowsData from './calibration/h100-e2e-steps.json' with { type: 'json' };
import type { ModelGraph } from '../ir/types.ts';
import { gpt } from '../zoo/gpt.ts';
import type { ForcedPlanKind } from './sharding.ts';

export interface E2eRow {
  readonly model: 'gpt-125m' | 'gpt-760m';
  readonly batch: number;
  readonly plan: 'single' | 'dp2' | 'tp2' | 'fsdp2';
  readonly remat: boolean;
  /** Median step time, or null when the run did not fit in memory. */
  readonly stepSeconds: number | null;
  /** XLA's argument + temporary buffers (outputs alias the arguments), or null for OOM rows. */
  readonly xlaBytes: number | null;
  readonly error: string | null;
}

export const E2E_ROWS: readonly E2eRow[] = rowsData.results.map((r) => ({
  model: r.model as E2eRow['model'],
  batch: r.batch,
  plan: r.plan as E2eRow['plan'],
  remat: r.remat,
  stepSeconds: r.step_s_median,
  xlaBytes: r.xla_memory_bytes ? r.xla_memory_bytes.argument_size_in_bytes + r.xla_memory_bytes.temp_size_in_bytes : null,
  error: r.error,
}));

export const ROW_PLAN: Readonly<Record<E2eRow['plan'], { readonly kind: ForcedPlanKind; readonly devices: number }>> = {
  single: { kind: 'single', devices: 1 },
  dp2: { kind: 'dp', devices: 2 },
  tp2: { kind: 'tp', devices: 2 },
  fsdp2: { kind: 'zero3', devices: 2 },
};

/** Sequence 1024, vocab 51200 (the file's "model" and "training" lines). */
export function rowGraph(model: E2eRow['model'], batch: number): ModelGraph {
  const dims = rowsData.configs[model];
  const g = gpt({ ...dims, vocab: 51200, seq: 1024, batch, dtype: 'bf16', name: model });
  return withFp32Logits(g);
}

/** The rows' LM head computes logits x @ wte.T in fp32: its output and what follows it are fp32 tensors. */
export function withFp32Logits(g: ModelGraph): ModelGraph {
  const fp32 = new Set<string>();
  for (const op of g.ops) {
    if (op.path.startsWith('gpt/head/logits') || op.inputs.some((i) => fp32.has(i))) op.outputs.forEach((o) => fp32.add(o));
  }
  const scale = (op: ModelGraph['ops'][number]) => {
    const t = g.tensors.find((x) => x.id === op.outputs[0]);
    return fp32.has(op.outputs[0]) && t ? 2 : 1;
  };
  return {
    ...g,
    tensors: g.tensors.map((t) => (fp32.has(t.id) && t.dtype !== 'i32' ? { ...t, dtype: 'f32' } : t)),
    ops: g.ops.map((op) => (scale(op) === 1 ? op : { ...op, bytesWritten: op.bytesWritten * 2 })),
  };
}
