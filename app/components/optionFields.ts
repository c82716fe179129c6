/**
 * The plan options typed as text (expert parallel, capacity factor, micro-batches): the typed text as a value, or
 * why it cannot be used, naming the field (CheckedInput shows the reason under it and applies nothing).
 */
import { LIMITS } from '../../workers/core/boundary/limits.ts';
import { parseCount } from '../cluster/edit.ts';
import type { Checked } from './CheckedInput.tsx';

/** Expert parallel: 'auto' (or empty) is 0, the search's choice per stage; else a whole degree up to the experts. */
export function parseExpertParallel(text: string, experts: number): Checked {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'auto') return { ok: true, value: 0 };
  const r = parseCount('expert parallel', t, 1, experts);
  return r.ok ? r : { ok: false, reason: `${r.reason} (the model's experts), or auto` };
}

export const formatExpertParallel = (ep: number): string => (ep === 0 ? 'auto' : String(ep));

/** Capacity factor: a number in (0, 16], as the planner takes it. */
export function parseCapacityFactor(text: string): Checked {
  const t = text.trim();
  const n = Number(t);
  if (t === '' || Number.isNaN(n)) return { ok: false, reason: `capacity factor: '${t}' is not a number` };
  if (n > 0 && n <= 16) return { ok: true, value: n };
  return { ok: false, reason: `capacity factor: ${t} is out of range; it must be above 0 and at most 16 (expert capacity over routed tokens)` };
}

/** A fixed micro-batch count: whole, in the planner's range, dividing the global batch. */
export function parseMicrobatches(text: string, globalBatch: number): Checked {
  const r = parseCount('micro-batches', text, LIMITS.microbatches.min, LIMITS.microbatches.max);
  if (!r.ok) return r;
  if (globalBatch % r.value !== 0) return { ok: false, reason: `micro-batches: ${r.value} does not divide the global batch ${globalBatch}` };
  return r;
}

export const parseGlobalBatch = (text: string): Checked => parseCount('global batch', text, LIMITS.globalBatch.min, LIMITS.globalBatch.max);
