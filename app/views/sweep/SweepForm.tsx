/** The sweep's setup: variable, values, what the chart shows; Run sweep / Cancel with progress; exports. */
import { useWhatIf } from '../../client/context.ts';
import { download, exportPng, exportSvg } from '../../export/figures.ts';
import { buttonClass, inputClass, primaryButtonClass } from '../../components/Region.tsx';
import type { SweepMetric } from '../../store/sweepSlice.ts';
import { useApp } from '../../store/store.ts';
import { SWEEP_VARIABLE_LABELS, SWEEP_VARIABLES, type SweepVariable } from '../../../workers/core/whatif/sweep.ts';
import { sweepCsv } from './series.ts';

/** Values offered when a variable is picked (the user edits them freely). */
const SUGGESTED: Readonly<Record<SweepVariable, string>> = {
  nodes: '1,2,4,8', 'gpus-per-node': '1,2,4,8', 'inter-gbps': '10,25,50,100,200,400', 'intra-gbps': '100,300,600,1200,2400',
  gpu: 'V100-16GB,A100-40GB,A100-80GB,H100-SXM', batch: '256,512,1024,2048', microbatches: '4,8,16,32,64', seq: '512,1024,2048,4096',
};

function SweepProgress() {
  const sweep = useApp((s) => s.sweep);
  const progress = useApp((s) => s.sweepProgress);
  const cancel = useWhatIf().cancelSweep;
  if (sweep?.state !== 'running') return null;
  const done = sweep.points.filter((p) => p.kind === 'done').length;
  const running = Object.entries(progress).map(([i, p]) => `${sweep.values[Number(i)]}: ${p.phase} ${p.done}/${p.total}`);
  return (
    <div className="flex items-center gap-2">
      <div className="w-56" aria-live="polite">
        <div role="progressbar" aria-label="Sweep progress" aria-valuemin={0} aria-valuemax={sweep.points.length} aria-valuenow={done}
          className="h-1.5 overflow-hidden rounded bg-slate-200 dark:bg-slate-700">
          <div className="h-full bg-indigo-500" style={{ width: `${(done / sweep.points.length) * 100}%` }} />
        </div>
        <span className="tabular block truncate text-xs text-slate-500 dark:text-slate-400">{done}/{sweep.points.length} points{running.length ? ` · ${running.join(' · ')}` : ''}</span>
      </div>
      <button type="button" className={buttonClass} onClick={cancel}>Cancel sweep</button>
    </div>
  );
}

function Exports() {
  const sweep = useApp((s) => s.sweep);
  const pushError = useApp((s) => s.pushError);
  const ready = sweep !== undefined && sweep.points.some((p) => p.kind === 'done');
  const file = sweep ? `meshplan-sweep-${sweep.variable}` : 'meshplan-sweep';
  const fail = (what: string) => (e: unknown) => pushError({ what: `Could not export the sweep as ${what}`, message: e instanceof Error ? e.message : String(e) });
  return (
    <div className="flex gap-1" role="group" aria-label="Export sweep">
      <button type="button" className={buttonClass} disabled={!ready} onClick={() => sweep && download(`${file}.csv`, new Blob([sweepCsv(sweep)], { type: 'text/csv' }))}>CSV</button>
      <button type="button" className={buttonClass} disabled={!ready} onClick={() => void exportPng('Sweep').catch(fail('PNG'))}>PNG</button>
      <button type="button" className={buttonClass} disabled={!ready} onClick={() => { try { exportSvg('Sweep'); } catch (e) { fail('SVG')(e); } }}>SVG</button>
    </div>
  );
}

export function SweepForm() {
  const setup = useApp((s) => s.sweepSetup);
  const set = useApp((s) => s.setSweepSetup);
  const running = useApp((s) => s.sweep?.state === 'running');
  const hasModel = useApp((s) => s.graph !== undefined);
  const whatif = useWhatIf();
  return (
    <form className="flex flex-wrap items-end gap-2 text-xs" onSubmit={(e) => { e.preventDefault(); whatif.runSweep(); }}>
      <label className="flex flex-col">Variable
        <select className={inputClass} value={setup.variable}
          onChange={(e) => { const v = e.target.value as SweepVariable; set({ variable: v, valuesText: SUGGESTED[v] }); }}>
          {SWEEP_VARIABLES.map((v) => <option key={v} value={v}>{SWEEP_VARIABLE_LABELS[v]}</option>)}
        </select>
      </label>
      <label className="flex min-w-48 flex-1 flex-col">Values
        <input className={`${inputClass} font-mono`} value={setup.valuesText} onChange={(e) => set({ valuesText: e.target.value })} placeholder="1,2,4,8" />
      </label>
      <label className="flex flex-col">Chart shows
        <select className={inputClass} value={setup.metric} onChange={(e) => set({ metric: e.target.value as SweepMetric })}>
          <option value="step">step time</option>
          <option value="throughput">throughput per GPU</option>
        </select>
      </label>
      <button type="submit" className={primaryButtonClass} disabled={running || !hasModel}>Run sweep</button>
      <SweepProgress />
      <div className="ml-auto"><Exports /></div>
    </form>
  );
}
