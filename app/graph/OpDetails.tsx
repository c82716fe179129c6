/** Details of one op: kind, path, inputs and outputs with shapes, FLOPs and bytes. Names rendered as text. */
import type { ModelGraph, Op } from '../../workers/core/ir/types.ts';
import { formatBytes, formatFlops } from '../format.ts';

export function OpDetails({ op, graph, onClose }: { op: Op; graph: ModelGraph; onClose: () => void }) {
  const tensor = new Map(graph.tensors.map((t) => [t.id, t]));
  const row = (id: string) => {
    const t = tensor.get(id);
    return <li key={id} className="font-mono">{t ? `${t.name} [${t.shape.join(', ')}] ${t.dtype} · ${t.kind}` : id}</li>;
  };
  return (
    <div role="dialog" aria-label={`Op ${op.name}`} className="space-y-1 rounded border border-slate-200 bg-slate-50 p-2 text-xs dark:border-slate-700 dark:bg-slate-800">
      <div className="flex justify-between gap-2">
        <span className="break-all font-mono font-semibold">{op.name}</span>
        <button type="button" className="underline" onClick={onClose}>close</button>
      </div>
      <p>{op.kind} · {op.phase} · <span className="break-all font-mono">{op.path}</span></p>
      <p>{formatFlops(op.flops)} · reads {formatBytes(op.bytesRead)} · writes {formatBytes(op.bytesWritten)}</p>
      <p className="font-semibold">inputs</p>
      <ul className="pl-2">{op.inputs.map(row)}</ul>
      <p className="font-semibold">outputs</p>
      <ul className="pl-2">{op.outputs.map(row)}</ul>
    </div>
  );
}
