/** The structure of the hovered (or focused) point's plan and the cost-model terms of its step, as the core gave them. */
import { formatQuantity, sig3 } from '../../format.ts';
import type { SeriesKind } from '../../../workers/core/whatif/point.ts';
import type { SweepRun } from '../../store/sweepSlice.ts';
import { seriesAt } from './series.ts';

function meshRuns(meshes: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < meshes.length;) {
    let j = i;
    while (j < meshes.length && meshes[j] === meshes[i]) j++;
    out.push(j - i > 1 ? `${meshes[i]} ×${j - i}` : meshes[i]);
    i = j;
  }
  return out.join(', ');
}

export function PointDetails({ run, series, index }: { run: SweepRun; series: SeriesKind; index: number }) {
  const r = seriesAt(run, index, series);
  const at = `${run.variable}=${run.values[index]}`;
  if (!r) return <p className="text-xs text-slate-500">{at}: not planned yet.</p>;
  if (!r.ok) return <p className="text-xs text-red-700 dark:text-red-400">{at}: {r.reason}</p>;
  const s = r.structure;
  return (
    <div data-testid="point-details" className="text-xs">
      <p className="font-semibold">{r.label} at {at}{r.feasible ? '' : ' — infeasible'}</p>
      {!r.feasible && <p className="text-red-700 dark:text-red-400">{r.infeasibleReason}</p>}
      <p>
        {s.stages} stage{s.stages === 1 ? '' : 's'} (sub-mesh/logical mesh: {meshRuns(s.meshes)}) · {s.microbatches} micro-batches ·
        remat on {s.remat.filter(Boolean).length}/{s.remat.length} stages
      </p>
      <p className="tabular">
        step {formatQuantity(r.stepSeconds, 's')} · {sig3(r.samplesPerSecondPerGpu)} samples/s per GPU · {formatQuantity(r.tflopsPerGpu * 1e12, 'FLOP/s')} per GPU
        · {r.gpus} GPUs
      </p>
      {r.stepTerms && (
        <p className="tabular" data-testid="point-terms">
          <span className="text-slate-500 dark:text-slate-400">step {formatQuantity(r.stepTerms.value, 's')} = {r.stepTerms.formula}: </span>
          {r.stepTerms.terms.map((t, i) => `${i === 0 ? '' : t.value < 0 ? ' − ' : ' + '}${t.label} ${formatQuantity(Math.abs(t.value), t.unit)}`).join('')}
        </p>
      )}
      <p className="text-slate-500 dark:text-slate-400">Click the point to open this plan in the plan views.</p>
    </div>
  );
}
