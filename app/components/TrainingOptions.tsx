/** Training options, mapped one to one onto PlanOptions. */
import { PRECISIONS, RUNTIMES, type Precision, type Runtime, type ScheduleChoice } from '../../workers/core/plan/types.ts';
import { useApp } from '../store/store.ts';
import { CheckedInput } from './CheckedInput.tsx';
import { parseGlobalBatch, parseMicrobatches } from './optionFields.ts';
import { inputClass } from './Region.tsx';
import { ZeroExpertOptions } from './ZeroExpertOptions.tsx';
import { SeqParallelFields } from './SeqParallelFields.tsx';
import { SCHEDULE_CHOICES } from './schedules.ts';

const RUNTIME_LABELS: Readonly<Record<Runtime, string>> = { megatron: 'megatron', xla: 'xla (JAX)' };

export function TrainingOptions() {
  const o = useApp((s) => s.options);
  const set = useApp((s) => s.setOptions);
  const field = 'flex flex-col text-xs';
  return (
    <fieldset className="grid grid-cols-2 gap-2 border-t border-slate-200 pt-2 dark:border-slate-700">
      <legend className="px-1 text-xs font-semibold text-slate-500">Training options</legend>
      <label className={field}>global batch
        <CheckedInput inputMode="numeric" className={inputClass} value={o.globalBatch} format={String} parse={parseGlobalBatch} onChange={(n) => set({ globalBatch: n })} />
      </label>
      <label className={field}>micro-batches
        <span className="flex flex-wrap gap-1">
          <select aria-label="micro-batch mode" className={inputClass} value={o.microbatches === 'auto' ? 'auto' : 'fixed'}
            onChange={(e) => set({ microbatches: e.target.value === 'auto' ? 'auto' : 16 })}>
            <option value="auto">auto</option><option value="fixed">fixed</option>
          </select>
          {o.microbatches !== 'auto' && (
            <CheckedInput inputMode="numeric" label="micro-batches" className={`${inputClass} w-14`} value={o.microbatches} format={String}
              parse={(t) => parseMicrobatches(t, o.globalBatch)} onChange={(n) => set({ microbatches: n })} />
          )}
        </span>
      </label>
      <label className={field}>schedule
        <select aria-label="schedule" className={inputClass} value={o.schedule} onChange={(e) => set({ schedule: e.target.value as ScheduleChoice })}>
          {SCHEDULE_CHOICES.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
        </select>
      </label>
      <label className={field}>remat
        <select className={inputClass} value={o.remat} onChange={(e) => set({ remat: e.target.value as 'auto' | 'on' | 'off' | 'selective' })}>
          <option>auto</option><option>on</option><option>off</option><option>selective</option>
        </select>
      </label>
      <label className={field}>mode
        <select className={inputClass} value={o.mode} onChange={(e) => set({ mode: e.target.value as 'train' | 'infer', ...(e.target.value === 'infer' ? { schedule: 'inference' as const } : o.schedule === 'inference' ? { schedule: '1f1b' as const } : {}) })}>
          <option value="train">train</option><option value="infer">infer</option>
        </select>
      </label>
      <label className={field}>precision
        <select className={inputClass} value={o.precision} onChange={(e) => set({ precision: e.target.value as Precision })}>
          {PRECISIONS.map((p) => <option key={p}>{p}</option>)}
        </select>
      </label>
      <SeqParallelFields />
      <label className={field} title="megatron: kernels and collectives only (the paper's setting); xla: also what JAX/XLA adds (scan residual copies, two steps in flight)">runtime
        <select className={inputClass} value={o.runtime ?? 'megatron'} onChange={(e) => set({ runtime: e.target.value as Runtime })}>
          {RUNTIMES.map((r) => <option key={r} value={r}>{RUNTIME_LABELS[r]}</option>)}
        </select>
      </label>
      <ZeroExpertOptions field={field} />
    </fieldset>
  );
}
