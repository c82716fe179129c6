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

  /** Drops tensors no op touches except inputs and parameters, renumbering nothing (ids stay stable). */
  finish(meta: {
    name: string; source: string; batch: number; seq?: number; training: TrainingSpec | null;
    warnings: readonly string[]; config?: Record<string, number>; family?: string;
  }): ModelGraph {
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

/** Counts of each unmapped source op, turned into one warning line per op name. */
export function unknownOpWarnings(counts: ReadonlyMap<string, number>, format: string): string[] {
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(
    ([name, n]) => `${format}: unsupported op ${name} (${n}x) imported as 'unknown' with zero cost`);
}
