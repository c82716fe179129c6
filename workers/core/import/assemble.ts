/**
 * Accumulates tensors and ops while an importer walks its source, then freezes them into a ModelGraph.
 * bytesRead / bytesWritten default to the unfused sizes of the op's inputs and outputs.
 */
import type { DType, ModelGraph, Op, OpAttrs, OpKind, OpPhase, Tensor, TensorKind, TrainingSpec } from '../ir/types.ts';
import { DTYPE_BYTES } from '../ir/types.ts';

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export interface OpDraft {
  name: string;
  kind: OpKind;
  inputs: readonly string[];
  outputs: readonly string[];
  attrs: OpAttrs;
  flops: number;
  path: string;
  phase?: OpPhase;
  pairedPath?: string;
  bytesRead?: number;
  bytesWritten?: number;
}

export interface TensorDraft {
  name: string;
  shape: readonly number[];
  dtype: DType;
  kind: TensorKind;
  batchDim?: number;
  estimatedDims?: readonly number[];
}

export class GraphAssembler {
  readonly tensors: Tensor[] = [];
  readonly ops: Op[] = [];
  private readonly byId = new Map<string, Tensor>();

  tensor(t: TensorDraft): string {
    const id = `t${this.tensors.length}`;
    const tensor: Tensor = {
      id, name: t.name, shape: [...t.shape], dtype: t.dtype, kind: t.kind,
      ...(t.batchDim === undefined ? {} : { batchDim: t.batchDim }),
      ...(t.estimatedDims ? { estimatedDims: t.estimatedDims } : {}),
    };
    this.tensors.push(tensor);
    this.byId.set(id, tensor);
    return id;
  }

  get(id: string): Tensor {
    const t = this.byId.get(id);
    if (!t) throw new Error(`assembler: unknown tensor ${id}`);
    return t;
  }

  bytes(id: string): number {
    const t = this.get(id);
    return numel(t.shape) * DTYPE_BYTES[t.dtype];
  }

  op(d: OpDraft): Op {
    const op: Op = {
      id: `o${this.ops.length}`,
      name: d.name,
      kind: d.kind,
      inputs: [...d.inputs],
      outputs: [...d.outputs],
      attrs: d.attrs,
      flops: Number.isFinite(d.flops) ? d.flops : 0,
      bytesRead: d.bytesRead ?? d.inputs.reduce((s, id) => s + this.bytes(id), 0),
      bytesWritten: d.bytesWritten ?? d.outputs.reduce((s, id) => s + this.bytes(id), 0),
      path: d.path,
      phase: d.phase ?? 'forward',
      ...(d.pairedPath === undefined ? {} : { pairedPath: d.pairedPath }),
    };
    this.ops.push(op);
    return op;
  }

  /**
   * Constants and weight-derived tensors combined elementwise with batch-sized activations of the same rank and
   * size take their batchDim (so rebatching keeps shapes consistent).
   */
  private propagateBatchDims(): void {
    const index = new Map(this.tensors.map((t, i) => [t.id, i] as const));
    for (const op of this.ops) {
      if (op.kind !== 'elementwise') continue;
      const all = [...op.inputs, ...op.outputs].map((id) => this.tensors[index.get(id)!]!);
      const ref = all.find((t) => t.batchDim !== undefined);
      if (!ref) continue;
      const d = ref.batchDim!;
      for (const t of all) {
        if (t.batchDim !== undefined || t.kind === 'parameter' || t.kind === 'optimizer-state') continue;
        if (t.shape.length !== ref.shape.length || t.shape[d] !== ref.shape[d]) continue;
        const updated: Tensor = { ...t, batchDim: d };
        this.tensors[index.get(t.id)!] = updated;
        this.byId.set(t.id, updated);
      }
    }
  }

  /** Drops tensors no op touches except inputs and parameters, renumbering nothing (ids stay stable). */
  finish(meta: {
    name: string; source: string; batch: number; seq?: number; training: TrainingSpec | null;
    warnings: readonly string[]; config?: Record<string, number>; family?: string;
  }): ModelGraph {
    this.propagateBatchDims();
    const used = new Set<string>();
    for (const op of this.ops) for (const id of [...op.inputs, ...op.outputs]) used.add(id);
    const tensors = this.tensors.filter((t) => used.has(t.id) || t.kind === 'parameter' || t.kind === 'input');
    return {
      schemaVersion: 1,
      name: meta.name,
      source: meta.source,
      ...(meta.family === undefined ? {} : { family: meta.family }),
      ...(meta.config === undefined ? {} : { config: meta.config }),
      batch: meta.batch,
      ...(meta.seq === undefined ? {} : { seq: meta.seq }),
      tensors,
      ops: this.ops,
      training: meta.training,
      ...(meta.warnings.length ? { warnings: [...meta.warnings] } : {}),
    };
  }
}

/**
 * Exporters bake the batch into constants (an attention mask [B, 1, S, S], ids broadcast to [B, S]); a leading
 * dim equal to the batch marks them as batch-sized so that rebatching keeps them in step with the activations.
 */
export function constantBatchDim(shape: readonly number[], kind: TensorKind, batch: number): number | undefined {
  return kind !== 'parameter' && kind !== 'optimizer-state' && batch > 1 && shape.length > 1 && shape[0] === batch ? 0 : undefined;
}

/** Counts of each unmapped source op, turned into one warning line per op name. */
export function unknownOpWarnings(counts: ReadonlyMap<string, number>, format: string): string[] {
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(
    ([name, n]) => `${format}: unsupported op ${name} (${n}x) imported as 'unknown' with zero cost`);
}
