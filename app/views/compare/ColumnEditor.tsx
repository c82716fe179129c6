/** A Compare column's inputs: cluster, model, batch, precision, schedule, runtime and price; changed ones marked. */
import type { ReactNode } from 'react';
import { CLUSTER_MENU, GPU_TYPES, MAX_GPUS_PER_NODE, MAX_NODES, parseCount, presetByLabel, setGpusPerNode, setInterBandwidth, setIntraBandwidth, setNodeCount, setNodeGpu } from '../../cluster/edit.ts';
import { BandwidthInput } from '../../components/BandwidthInput.tsx';
import { CheckedInput } from '../../components/CheckedInput.tsx';
import { inputClass } from '../../components/Region.tsx';
import { sourceLabel, type ModelSource } from '../../scenario.ts';
import type { CompareColumn } from '../../store/compareSlice.ts';
import { PRECISIONS, RUNTIMES, type PlanOptions, type Precision, type Runtime, type ScheduleChoice } from '../../../workers/core/plan/types.ts';
import type { Cluster } from '../../../workers/core/cluster/types.ts';
import { SCHEDULE_CHOICES } from '../../components/schedules.ts';


function Field({ label, changed, children }: { label: string; changed: boolean; children: ReactNode }) {
  return (
    <label data-changed={changed || undefined}
      className={`flex min-w-0 flex-col text-xs ${changed ? 'rounded bg-amber-100 px-1 text-amber-900 ring-1 ring-amber-400 dark:bg-amber-950 dark:text-amber-100 dark:ring-amber-600' : ''}`}>
      <span>{label}{changed && <span className="sr-only"> (differs from scenario 1)</span>}</span>
      {children}
    </label>
  );
}

const withGpu = (c: Cluster, gpu: string): Cluster => c.nodes.reduce((acc, _, i) => setNodeGpu(acc, i, gpu), c);

export function ColumnEditor({ column, changed, models, edit }: {
  column: CompareColumn;
  /** Field names (the core's diff: 'nodes', 'gpu', 'batch', ...) that differ from the first column. */
  changed: ReadonlySet<string>;
  /** Models offered: zoo names, and the loaded model when it is not from the zoo. */
  models: readonly ModelSource[];
  edit: (e: (c: CompareColumn) => CompareColumn) => void;
}) {
  const { cluster, options, model } = column.scenario;
  const cl = (f: (c: Cluster) => Cluster) => edit((c) => ({ ...c, scenario: { ...c.scenario, cluster: f(c.scenario.cluster) } }));
  const op = (patch: Partial<PlanOptions>) => edit((c) => ({ ...c, scenario: { ...c.scenario, options: { ...c.scenario.options, ...patch } } }));
  const first = cluster.nodes[0];
  const modelKey = JSON.stringify(model);
  const offered = models.some((m) => JSON.stringify(m) === modelKey) ? models : [model, ...models];
  const has = (f: string) => changed.has(f);
  return (
    <div className="grid grid-cols-2 gap-x-2 gap-y-1">
      <Field label="cluster preset" changed={false}>
        <select className={inputClass} value="" onChange={(e) => e.target.value && cl(() => presetByLabel(e.target.value))}>
          <option value="">{cluster.name}</option>
          {CLUSTER_MENU.map((p) => <option key={p.label} value={p.label}>{p.label}</option>)}
        </select>
      </Field>
      <Field label="model" changed={has('model')}>
        <select className={inputClass} value={modelKey}
          onChange={(e) => edit((c) => ({ ...c, scenario: { ...c.scenario, model: JSON.parse(e.target.value) as ModelSource } }))}>
          {offered.map((m) => { const k = JSON.stringify(m); return <option key={k} value={k}>{sourceLabel(m)}</option>; })}
        </select>
      </Field>
      <Field label="nodes" changed={has('nodes')}>
        <CheckedInput inputMode="numeric" className={inputClass} value={cluster.nodes.length} format={String} parse={(t) => parseCount('nodes', t, 1, MAX_NODES)} onChange={(n) => cl((c) => setNodeCount(c, n))} />
      </Field>
      <Field label="GPUs per node" changed={has('gpus-per-node')}>
        <CheckedInput inputMode="numeric" className={inputClass} value={first?.gpus ?? 0} format={String} parse={(t) => parseCount('GPUs per node', t, 1, MAX_GPUS_PER_NODE)} onChange={(n) => cl((c) => setGpusPerNode(c, n))} />
      </Field>
      <Field label="GPU type" changed={has('gpu')}>
        <select className={inputClass} value={first?.gpu} onChange={(e) => cl((c) => withGpu(c, e.target.value))}>
          {GPU_TYPES.map((g) => <option key={g}>{g}</option>)}
        </select>
      </Field>
      <Field label="intra-node (GB/s)" changed={has('intra-gbps')}>
        <BandwidthInput field="intra-node (GB/s)" unit="GB/s" className={inputClass} bytesPerSecond={cluster.intraNode.bandwidthBytesPerSecond}
          onChange={(b) => cl((c) => setIntraBandwidth(c, b))} />
      </Field>
      <Field label="inter-node (Gbit/s)" changed={has('inter-gbps')}>
        <BandwidthInput field="inter-node (Gbit/s)" unit="Gbit/s" className={inputClass} bytesPerSecond={cluster.interNode.bandwidthBytesPerSecond}
          onChange={(b) => cl((c) => setInterBandwidth(c, b))} />
      </Field>
      <Field label="global batch" changed={has('batch')}>
        <CheckedInput inputMode="numeric" className={inputClass} value={options.globalBatch} format={String} parse={(t) => parseCount('global batch', t, 1, 1 << 24)} onChange={(n) => op({ globalBatch: n })} />
      </Field>
      <Field label="precision" changed={has('precision')}>
        <select className={inputClass} value={options.precision} onChange={(e) => op({ precision: e.target.value as Precision })}>
          {PRECISIONS.map((p) => <option key={p}>{p}</option>)}
        </select>
      </Field>
      <Field label="schedule" changed={has('schedule')}>
        <select className={inputClass} value={options.schedule} onChange={(e) => op({ schedule: e.target.value as ScheduleChoice })}>
          {SCHEDULE_CHOICES.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
        </select>
      </Field>
      <Field label="runtime" changed={has('runtime')}>
        <select className={inputClass} value={options.runtime ?? 'megatron'} onChange={(e) => op({ runtime: e.target.value as Runtime })}>
          {RUNTIMES.map((r) => <option key={r}>{r}</option>)}
        </select>
      </Field>
      <Field label="price per GPU-hour ($)" changed={has('pricePerGpuHour')}>
        <input type="number" className={inputClass} min={0} step={0.01} placeholder="not priced" value={column.pricePerGpuHour ?? ''}
          onChange={(e) => {
            const v = e.target.value === '' ? undefined : Number(e.target.value);
            if (v === undefined || (Number.isFinite(v) && v >= 0)) edit(({ pricePerGpuHour: _p, ...c }) => (v === undefined ? c : { ...c, pricePerGpuHour: v }));
          }} />
      </Field>
    </div>
  );
}
