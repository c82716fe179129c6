/**
 * ZeRO and expert-parallel options (PlanOptions.zero, ep, capacityFactor): 'auto' lets the search choose per stage,
 * a number forces it on every stage. The expert options show only for models with MoE experts.
 */
import type { PlanOptions } from '../../workers/core/plan/types.ts';
import { useApp } from '../store/store.ts';
import { inputClass } from './Region.tsx';

const ZERO_CHOICES = ['auto', '0', '1', '2', '3'] as const;

export function ZeroExpertOptions({ field }: { field: string }) {
  const o = useApp((s) => s.options);
  const set = useApp((s) => s.setOptions);
  const experts = useApp((s) => s.graph?.config?.experts);
  const zero = o.zero === undefined ? 'auto' : String(o.zero);
  return (
    <>
      <label className={field} title="ZeRO stage over each stage's data-parallel axis: 1 shards optimizer state, 2 also gradients, 3 also parameters (gathered per micro-batch); auto: the search picks per stage">ZeRO
        <select className={inputClass} value={zero} onChange={(e) => set({ zero: e.target.value === 'auto' ? 'auto' : (Number(e.target.value) as NonNullable<Exclude<PlanOptions['zero'], 'auto'>>) })}>
          {ZERO_CHOICES.map((z) => <option key={z} value={z}>{z}</option>)}
        </select>
      </label>
      {experts !== undefined && (
        <>
          <label className={field} title={`Experts over each stage's data-parallel axis (${experts} experts; 1: experts split by tensor parallelism); auto: the search picks per stage`}>expert parallel
            <input type="text" inputMode="numeric" className={inputClass} value={o.ep ?? 'auto'} placeholder="auto"
              onChange={(e) => {
                const v = e.target.value.trim();
                if (v === '' || v === 'auto') set({ ep: undefined });
                else if (/^\d+$/.test(v) && Number(v) >= 1) set({ ep: Number(v) });
              }} />
          </label>
          <label className={field} title="Expert capacity over tokens x top-k / experts: the dispatch and combine all-to-alls move this multiple of the routed tokens">capacity factor
            <input type="number" className={inputClass} min={0.1} max={16} step={0.05} value={o.capacityFactor ?? 1.25}
              onChange={(e) => Number(e.target.value) > 0 && Number(e.target.value) <= 16 && set({ capacityFactor: Number(e.target.value) })} />
          </label>
        </>
      )}
    </>
  );
}
