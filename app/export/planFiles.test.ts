import { describe, expect, it } from 'vitest';
import { parsePlanJson, planToJson } from '../../workers/core/export/index.ts';
import { FIXTURE_PLAN } from '../views/fixturePlan.ts';
import { exportablePlan, megatronExport } from './planFiles.ts';

describe('plan files', () => {
  it('leaves infeasible (infinite) search candidates out so the plan can be written as JSON', () => {
    const plan = { ...FIXTURE_PLAN, trace: [...FIXTURE_PLAN.trace, { label: 'B=8', stepSeconds: Infinity, feasible: false }] };
    expect(() => planToJson(plan)).toThrow(/non-finite/);
    const { plan: clean, droppedTraceEntries } = exportablePlan(plan);
    expect(droppedTraceEntries).toBe(1);
    const parsed = parsePlanJson(planToJson(clean));
    expect(parsed.ok).toBe(true);
  });

  it('Megatron-LM text: the reason a plan is not Megatron-shaped, and the fastest Megatron-shaped alternative as the nearest plan', () => {
    expect(megatronExport(FIXTURE_PLAN, [], undefined, 'fp16-mixed')).toBe(
      '# Megatron-LM cannot express this plan: stage 1 has 1 layers, stage 0 has 3: Megatron splits layers evenly over stages\n' +
      "# none of this search's other plans is Megatron-shaped: `meshplan export --format megatron` with the same options plans the nearest Megatron grid point\n");
    const even = (step: number) => ({ ...FIXTURE_PLAN, label: `even ${step}`, stepSeconds: step,
      stages: FIXTURE_PLAN.stages.map((s, i) => ({ ...s, layers: [2 * i, 2 * i + 2] as const, sharding: undefined })) });
    const text = megatronExport(FIXTURE_PLAN, [even(9), even(7)], undefined, 'fp16-mixed').split('\n');
    expect(text[1]).toBe(`# nearest Megatron-LM plan: even 7, predicted 7.0000 s per step (this plan ${FIXTURE_PLAN.stepSeconds.toFixed(4)} s: +${(100 * (7 / FIXTURE_PLAN.stepSeconds - 1)).toFixed(1)}%)`);
    expect(text[text.length - 2]).toMatch(/^--tensor-model-parallel-size 2 --pipeline-model-parallel-size 2 /);
  });
});
