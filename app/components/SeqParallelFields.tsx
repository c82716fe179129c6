/**
 * Sequence and context parallelism in the training options (PlanOptions sp, cp, cpKind): SP the search's choice per
 * stage (auto), always or never; CP the search's choice for long sequences (auto), none (1), or a forced degree
 * with its exchange (ring attention or Ulysses all-to-all) and, for ring, how a causal sequence is split; attention
 * cores fused or naive (PlanOptions cpSplit, attention).
 */
import { ATTENTION_CHOICES, CP_KINDS, CP_SPLITS, type AttentionChoice, type CpKind, type CpSplit } from '../../workers/core/plan/types.ts';
import { useApp } from '../store/store.ts';
import { inputClass } from './Region.tsx';

const CP_DEGREES = [1, 2, 4, 8, 16, 32, 64];

export function SeqParallelFields() {
  const o = useApp((s) => s.options);
  const set = useApp((s) => s.setOptions);
  const field = 'flex flex-col text-xs';
  return (
    <>
      <label className={field} title="Megatron-style sequence parallelism where tensor parallel > 1: norms and residuals split along the sequence">sequence parallel
        <select className={inputClass} value={o.sp ?? 'auto'} onChange={(e) => set({ sp: e.target.value as 'auto' | 'on' | 'off' })}>
          <option>auto</option><option>on</option><option>off</option>
        </select>
      </label>
      <label className={field} title="Context parallelism: one sequence split over devices of the data-parallel axis; auto lets the search choose for long sequences">context parallel
        <span className="flex gap-1">
          <select aria-label="context-parallel degree" className={inputClass} value={o.cp === undefined ? 'auto' : String(o.cp)}
            onChange={(e) => set({ cp: e.target.value === 'auto' ? undefined : Number(e.target.value) })}>
            <option value="auto">auto</option>
            {CP_DEGREES.map((d) => <option key={d} value={d}>{d === 1 ? '1 (none)' : d}</option>)}
          </select>
          {o.cp !== undefined && o.cp > 1 && (
            <select aria-label="context-parallel exchange" className={inputClass} value={o.cpKind ?? 'ring'} onChange={(e) => set({ cpKind: e.target.value as CpKind })}>
              {CP_KINDS.map((k) => <option key={k}>{k}</option>)}
            </select>
          )}
          {o.cp !== undefined && o.cp > 1 && (o.cpKind ?? 'ring') === 'ring' && (
            <select aria-label="ring split" title="How ring attention splits a causal sequence: balanced 2cp chunks (Megatron / Transformer Engine) or contiguous blocks, whose last rank does most of the attention"
              className={inputClass} value={o.cpSplit ?? 'balanced'} onChange={(e) => set({ cpSplit: e.target.value as CpSplit })}>
              {CP_SPLITS.map((k) => <option key={k}>{k}</option>)}
            </select>
          )}
        </span>
      </label>
      <label className={field} title="Attention cores as fused kernels (FlashAttention / cuDNN: no sequence x sequence scores kept) or naive; auto: the runtime's default (fused on Ampere and later in 16-bit)">attention
        <select aria-label="attention" className={inputClass} value={o.attention ?? 'auto'} onChange={(e) => set({ attention: e.target.value as AttentionChoice })}>
          {ATTENTION_CHOICES.map((k) => <option key={k}>{k}</option>)}
        </select>
      </label>
    </>
  );
}
