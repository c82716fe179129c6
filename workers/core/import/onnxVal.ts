/** What the ONNX importer knows about one value, and numpy broadcasting of shapes (shared by onnxShapes.ts,
 * onnxShapesNN.ts and onnxFold.ts without an import circle). */
import type { DType } from '../ir/types.ts';

/** What we know about one ONNX value. */
export interface Val {
  shape?: number[];
  dtype: DType;
  /** Element values, for small constant tensors only. */
  values?: number[];
}

export function broadcastShapes(shapes: readonly (readonly number[] | undefined)[]): number[] | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const rank = Math.max(0, ...shapes.map((s) => s!.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s![s!.length - rank + i] ?? 1;
      if (v !== 1 && d !== 1 && v !== d) return undefined;
      if (v !== 1) d = v;
    }
    out.push(d);
  }
  return out;
}
