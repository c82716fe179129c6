import { describe, expect, it } from 'vitest';
import { parsePlanJson, planToJson } from '../../workers/core/export/index.ts';
import { FIXTURE_PLAN } from '../views/fixturePlan.ts';
import { exportablePlan } from './planFiles.ts';

describe('plan files', () => {
  it('leaves infeasible (infinite) search candidates out so the plan can be written as JSON', () => {
    const plan = { ...FIXTURE_PLAN, trace: [...FIXTURE_PLAN.trace, { label: 'B=8', stepSeconds: Infinity, feasible: false }] };
    expect(() => planToJson(plan)).toThrow(/non-finite/);
    const { plan: clean, droppedTraceEntries } = exportablePlan(plan);
    expect(droppedTraceEntries).toBe(1);
    const parsed = parsePlanJson(planToJson(clean));
    expect(parsed.ok).toBe(true);
  });
});
