/** What differs from the first column: inputs, stage boundaries, operators' sharding, and the terms that grew. */
import { useState } from 'react';
import { buttonClass } from '../../components/Region.tsx';
import { formatQuantity, sig3 } from '../../format.ts';
import type { ScenarioDiff } from '../../../workers/core/whatif/diff.ts';

const FIELD_LABELS: Readonly<Record<string, string>> = {
  'gpus-per-node': 'GPUs per node', gpu: 'GPU type', 'intra-gbps': 'intra-node GB/s', 'inter-gbps': 'inter-node Gbit/s',
  batch: 'global batch', pricePerGpuHour: 'price per GPU-hour',
};

/** The core names intra-node bandwidth in Gbit/s; the editors show it in GB/s (as vendors quote NVLink). */
const shown = (field: string, v: string): string => (field === 'intra-gbps' && Number.isFinite(Number(v)) ? sig3(Number(v) / 8) : v);

const list = (xs: readonly number[]) => (xs.length ? xs.join(', ') : 'none');

export function ColumnDiff({ diff, index }: { diff?: ScenarioDiff; index: number }) {
  const [showOps, setShowOps] = useState(false);
  if (!diff) return null;
  const b = diff.boundaries;
  return (
    <section aria-label={`Differences of scenario ${index + 1} from scenario 1`} className="space-y-1 rounded border border-amber-300 bg-amber-50 p-2 text-xs text-amber-950 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-50">
      <h3 className="font-semibold">Against scenario 1</h3>
      <p data-testid="changed-inputs">
        {diff.inputs.length === 0 ? 'Same inputs.' : diff.inputs.map((c) => `${FIELD_LABELS[c.field] ?? c.field} ${shown(c.field, c.base)} → ${shown(c.field, c.other)}`).join('; ')}
      </p>
      {b && (
        <p data-testid="moved-boundaries">
          {b.stageCount.base !== b.stageCount.other ? `${b.stageCount.base} → ${b.stageCount.other} stages; ` : ''}
          {!b.comparable ? 'layer clusterings differ (boundaries not comparable)'
            : b.added.length + b.removed.length === 0 ? 'stage boundaries unchanged'
              : `boundaries at layers ${list(b.base)} → ${list(b.other)}`}
        </p>
      )}
      {diff.shardingChanged && (
        <div>
          <button type="button" className={`${buttonClass} text-xs`} aria-expanded={showOps} disabled={diff.shardingChanged.count === 0}
            onClick={() => setShowOps(!showOps)}>
            {diff.shardingChanged.count} of {diff.shardingChanged.compared} operators changed sharding
          </button>
          {showOps && (
            <ul aria-label="Operators whose sharding changed" className="mt-1 max-h-48 space-y-0.5 overflow-auto break-words font-mono text-[11px]">
              {diff.shardingChanged.ops.map((o) => (
                <li key={o.op}><span className="font-semibold">{o.name}</span>: {o.base} → {o.other}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {diff.grew && (
        <p data-testid="grown-terms">
          {diff.grew.length === 0 ? 'No term of the breakdown grew.'
            : `Grew: ${diff.grew.map((t) => `${t.term} ${Number.isFinite(t.ratio) ? `×${sig3(t.ratio)}` : 'from 0'} (+${formatQuantity(t.delta, t.unit)})`).join('; ')}`}
        </p>
      )}
    </section>
  );
}
