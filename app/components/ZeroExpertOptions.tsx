/**
 * ZeRO and expert-parallel options (PlanOptions.zero, ep, capacityFactor): 'auto' lets the search choose per stage,
 * a number forces it on every stage. The expert options show only for models with MoE experts.
 */
import type { PlanOptions } from '../../workers/core/plan/types.ts';
import { useApp } from '../store/store.ts';
import { CheckedInput } from './CheckedInput.tsx';
import { formatExpertParallel, parseCapacityFactor, parseExpertParallel } from './optionFields.ts';
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
        <select aria-label="ZeRO" className={inputClass} value={zero} onChange={(e) => set({ zero: e.target.value === 'auto' ? 'auto' : (Number(e.target.value) as NonNullable<Exclude<PlanOptions['zero'], 'auto'>>) })}>
          {ZERO_CHOICES.map((z) => <option key={z} value={z}>{z}</option>)}
        </select>
      </label>
      {experts !== undefined && (
        <>
          <label className={field} title={`Experts over each stage's data-parallel axis (${experts} experts; 1: experts split by tensor parallelism); auto: the search picks per stage`}>expert parallel
            <CheckedInput inputMode="text" className={inputClass} value={o.ep ?? 0} format={formatExpertParallel}
              parse={(t) => parseExpertParallel(t, experts)} onChange={(n) => set({ ep: n === 0 ? undefined : n })} />
          </label>
          <label className={field} title="Expert capacity over tokens x top-k / experts: the dispatch and combine all-to-alls move this multiple of the routed tokens">capacity factor
            <CheckedInput inputMode="decimal" className={inputClass} value={o.capacityFactor ?? 1.25} format={String} parse={parseCapacityFactor}
              onChange={(n) => set({ capacityFactor: n })} />
          </label>
        </>
      )}
    </>
  );
}
