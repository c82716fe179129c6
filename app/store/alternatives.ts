/**
 * The search's other plans as the page keeps them: each one's label and step (the Explanation lists them) at once,
 * the plans themselves only when asked for (the Megatron export's nearest Megatron-shaped plan). The planner worker
 * sends them as JSON bytes, parsed on that first ask: their per-operator sharding (GPT-39B on 8x8: ~2.7 MB per plan
 * as objects) would otherwise be structure-cloned on the main thread when the plan arrives.
 */
import type { Plan } from '../../workers/core/plan/types.ts';

export interface AlternativeStep {
  readonly label: string;
  readonly stepSeconds: number;
}

export interface Alternatives {
  readonly steps: readonly AlternativeStep[];
  /** The plans (parsed on the first call, then kept). */
  plans(): readonly Plan[];
}

export const NO_ALTERNATIVES: Alternatives = { steps: [], plans: () => [] };

export function alternativesOf(plans: readonly Plan[]): Alternatives {
  return { steps: plans.map((p) => ({ label: p.label, stepSeconds: p.stepSeconds })), plans: () => plans };
}

/** Plans from JSON bytes (a JSON array of plans), parsed on the first `plans()`. */
export function alternativesFromJson(steps: readonly AlternativeStep[], json: Uint8Array): Alternatives {
  let parsed: readonly Plan[] | undefined;
  return { steps, plans: () => (parsed ??= JSON.parse(new TextDecoder().decode(json)) as Plan[]) };
}
