/**
 * Plan JSON: a versioned envelope around the Plan, with object keys sorted so that the same plan always gives the
 * same bytes (diffable, hashable, golden-testable).
 */
import type { Plan } from '../inter/plan.ts';

export const PLAN_JSON_FORMAT = 'meshplan.plan';
export const PLAN_JSON_VERSION = 1;

export interface PlanJsonEnvelope {
  readonly format: typeof PLAN_JSON_FORMAT;
  readonly version: number;
  readonly plan: Plan;
}

export type ParsePlanResult = { readonly ok: true; readonly plan: Plan } | { readonly ok: false; readonly reason: string };

/** Recursively copies plain data with object keys in sorted order; drops undefined fields as JSON does. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RangeError(`planToJson: non-finite number ${value} cannot be written as JSON`);
  }
  return value;
}

/** Versioned, key-sorted JSON of a plan. `indent` spaces per level (default 2; 0 for one line). */
export function planToJson(plan: Plan, indent = 2): string {
  const envelope: PlanJsonEnvelope = { format: PLAN_JSON_FORMAT, version: PLAN_JSON_VERSION, plan };
  return JSON.stringify(sortKeys(envelope), null, indent || undefined);
}

const REQUIRED_PLAN_FIELDS = ['kind', 'stages', 'stepSeconds', 'microbatches', 'schedule', 'timeline', 'breakdown'] as const;

/** Reads what planToJson wrote; a wrong format, a newer version or a missing field is a value, not a throw. */
export function parsePlanJson(text: string): ParsePlanResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (data === null || typeof data !== 'object') return { ok: false, reason: 'not a plan file: top level is not an object' };
  const env = data as Partial<PlanJsonEnvelope>;
  if (env.format !== PLAN_JSON_FORMAT) return { ok: false, reason: `not a plan file: format is ${JSON.stringify(env.format)}, expected "${PLAN_JSON_FORMAT}"` };
  if (typeof env.version !== 'number' || env.version > PLAN_JSON_VERSION) {
    return { ok: false, reason: `plan file version ${String(env.version)} is newer than this Meshplan reads (${PLAN_JSON_VERSION})` };
  }
  const plan = env.plan as Record<string, unknown> | undefined;
  if (!plan || typeof plan !== 'object') return { ok: false, reason: 'plan file has no "plan" object' };
  const missing = REQUIRED_PLAN_FIELDS.filter((k) => !(k in plan));
  if (missing.length > 0) return { ok: false, reason: `plan is missing ${missing.join(', ')}` };
  return { ok: true, plan: plan as unknown as Plan };
}

/** The plan without the search-trace entries of infeasible candidates (an infinite step time, which JSON cannot
 * hold), and how many were left out. */
export function exportablePlan(plan: Plan): { plan: Plan; droppedTraceEntries: number } {
  const trace = plan.trace.filter((t) => Number.isFinite(t.stepSeconds));
  return { plan: { ...plan, trace }, droppedTraceEntries: plan.trace.length - trace.length };
}
