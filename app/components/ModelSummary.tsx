/** The loaded model's headline figures: params, FLOPs per step, memory per replica, op counts. */
import { bytesPerParameter } from '../../workers/core/cost/memory.ts';
import { formatBytes, formatCount, formatFlops } from '../format.ts';
import { useApp } from '../store/store.ts';

function Figure({ label, value, title }: { label: string; value: string; title?: string }) {
  return (
    <div title={title}>
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="tabular font-medium">{value}</dd>
    </div>
  );
}

export function ModelSummary() {
  const summary = useApp((s) => s.summary);
  const precision = useApp((s) => s.options.precision);
  const mode = useApp((s) => s.options.mode);
  const warnings = useApp((s) => s.warnings);
  if (!summary) return <p className="text-sm text-slate-500">Loading model…</p>;
  const stateBytesPerParam = mode === 'train' ? bytesPerParameter(precision) : 2;
  const counts = Object.entries(summary.opCounts).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
  return (
    <div className="space-y-2 text-sm">
      <p className="font-medium" data-testid="model-name">{summary.name}</p>
      <dl className="grid grid-cols-2 gap-x-3 gap-y-1">
        <Figure label="params" value={formatCount(summary.params)} title={`${summary.params} parameters`} />
        <Figure label="FLOPs per step" value={formatFlops(summary.flopsPerStep)} title={`batch ${summary.batch}, forward + backward`} />
        <Figure label="memory per replica" value={formatBytes(summary.params * stateBytesPerParam)}
          title={`model states: ${stateBytesPerParam} B per parameter (${mode === 'train' ? precision : 'inference weights'}), activations excluded`} />
        <Figure label="activations / sample" value={formatBytes(summary.activationBytesPerSample)} />
        <Figure label="ops" value={String(summary.ops)} />
        <Figure label="layers" value={String(summary.layers)} />
      </dl>
      <p className="text-xs text-slate-500 dark:text-slate-400">
        batch {summary.batch}{summary.seq !== undefined ? ` · seq ${summary.seq}` : ''} · {counts.map(([k, n]) => `${k} ${n}`).join(' · ')}
      </p>
      {warnings.length > 0 && (
        <details className="text-xs text-amber-700 dark:text-amber-300">
          <summary>{warnings.length} import warning{warnings.length > 1 ? 's' : ''}</summary>
          <ul className="list-disc pl-4">{warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>
        </details>
      )}
    </div>
  );
}
