/**
 * The searched plan contains what a user can force (issue 14): `meshplan plan` with no forcing flags is never slower,
 * under the same cost model, than the same command with --ep N, --zero N, --sp on|off, --cp N or
 * --remat on|off|selective (each value that applies); `--schedule auto` (the search's schedule choice; the default
 * is 1F1B) never slower than any forced --schedule; and with the ILP never slower than --intra manual. Paper cases on
 * p3.16xlarge and an H100 LLM case, template strategies (--intra manual) for speed, and MoE-70B with the ILP.
 * Before plan/alternatives.ts and every EP degree per mesh (inter/expertChoice.ts), MoE-10B under Adam searched
 * 10.36 s against --ep 2's 9.61 s, and MoE-70B with the ILP 11.11 s against --intra manual's 10.56 s.
 */
import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../../workers/core/cluster/spec.ts';
import { defaultPlanOptions, plan, type PlanDeps } from '../../workers/core/plan.ts';
import type { PlanOptions, Precision } from '../../workers/core/plan/types.ts';
import { zooModel } from '../../workers/core/zoo/index.ts';

const manual: PlanDeps = { intra: 'manual' };

async function step(name: string, batch: number, spec: string, options: Partial<PlanOptions>, deps: PlanDeps): Promise<number> {
  const model = zooModel(name, { batch });
  const r = await plan(model, parseClusterSpec(spec), { ...defaultPlanOptions(model), ...options }, undefined, undefined, deps);
  if (!r.ok) throw new Error(`${name} on ${spec} ${JSON.stringify(options)}: ${r.reason}`);
  expect(r.plan.feasible).toBe(true);
  return r.plan.stepSeconds;
}

/** The forcing flags of the brief, each value that applies to the case. */
function forced(experts: readonly number[]): [string, Partial<PlanOptions>][] {
  return [
    ...experts.map((ep): [string, Partial<PlanOptions>] => [`--ep ${ep}`, { ep }]),
    ...([0, 1, 2, 3] as const).map((zero): [string, Partial<PlanOptions>] => [`--zero ${zero}`, { zero }]),
    ['--sp on', { sp: 'on' }], ['--sp off', { sp: 'off' }], ['--cp 2', { cp: 2 }], ['--cp 4', { cp: 4 }],
    ['--remat on', { remat: 'on' }], ['--remat off', { remat: 'off' }], ['--remat selective', { remat: 'selective' }],
  ];
}

const SCHEDULES = ['1f1b', 'gpipe', 'eager-1f1b', 'interleaved', 'zb-h1', 'zb-v'] as const;

describe('the searched plan is never slower than a plan a user can force', () => {
  // [zoo, global batch, cluster, precision, expert-parallel degrees that divide the experts, searched step (s)]
  // Steps since Megatron's fused kernels' residuals are priced (mem405; smaller activations): MoE-10B 9.6095 ->
  // 9.5824 s (--zero 0's layout at 64 micro-batches, found by re-solving that count: its DP price 9.07 s promised
  // better than the best simulated 9.60 s, plan/alternatives.ts), MoE-2.4B 9.0675 -> 9.0119, GPT-2.6B 37.6623 -> 34.9842 (one ZeRO-3 stage of 8 without recompute),
  // Llama-3-8B unchanged (fused attention, SP); MoE-70B's templates 10.5608 -> 10.3851.
  const cases: readonly [string, number, string, Precision, readonly number[], number][] = [
    // The brief's case: before, 10.36 s (EP 2 on 4-GPU stages was never offered; then the DP's pick at 128
    // micro-batches, priced 9.6188 s, simulated 10.36 s: three of its sends cross nodes once placed).
    ['moe-10B', 1024, 'p3.16xlarge:2x8', 'fp16-mixed', [1, 2, 4, 8, 16], 9.5824],
    ['moe-2.4B', 1024, 'p3.16xlarge:1x8', 'fp16-adafactor', [1, 2, 4, 8], 9.0119],
    ['gpt-2.6B', 1024, 'p3.16xlarge:1x8', 'fp16-mixed', [], 34.9842],
    ['llama-3-8B', 64, 'dgx-h100:2x8', 'bf16-mixed', [], 2.7240],
  ];
  for (const [name, batch, spec, precision, experts, expected] of cases) {
    it(`${name} on ${spec}: every forcing flag`, async () => {
      const searched = await step(name, batch, spec, { precision }, manual);
      expect(searched).toBeCloseTo(expected, 3);
      for (const [flag, options] of forced(experts)) {
        const other = await step(name, batch, spec, { precision, ...options }, manual);
        expect(searched, `${name}: searched ${searched} s against ${flag} ${other} s`).toBeLessThanOrEqual(other * (1 + 1e-9));
      }
    }, 600_000);
  }

  for (const [name, batch, spec, precision] of [cases[0], cases[3]]) {
    it(`${name} on ${spec}: --schedule auto against each forced schedule`, async () => {
      const auto = await step(name, batch, spec, { precision, schedule: 'auto' }, manual);
      let beaten = 0;
      for (const schedule of SCHEDULES) {
        const other = await step(name, batch, spec, { precision, schedule }, manual).catch(() => Infinity);
        expect(auto, `${name}: --schedule auto ${auto} s against ${schedule} ${other} s`).toBeLessThanOrEqual(other * (1 + 1e-9));
        if (auto < other * (1 - 1e-9)) beaten++;
      }
      // Not all ties: the auto choice beats some schedule outright (GPipe at least).
      expect(beaten).toBeGreaterThanOrEqual(1);
    }, 600_000);
  }

  it('MoE-70B on 8 x 8 V100 (fp16-adafactor) with the ILP: no slower than templates alone', async () => {
    const ilp = await step('moe-70B', 1024, 'p3.16xlarge:8x8', { precision: 'fp16-adafactor' }, {});
    const templates = await step('moe-70B', 1024, 'p3.16xlarge:8x8', { precision: 'fp16-adafactor' }, manual);
    // Before: the DP kept 15 ILP stages at 256 micro-batches (priced 10.36 s, simulated 11.11 s); solved again
    // with template strategies only, 16 stages of EP 4 / EP 2 simulate 10.56 s.
    expect(templates).toBeCloseTo(10.3851, 3);
    expect(ilp).toBeLessThanOrEqual(templates * (1 + 1e-9));
  }, 600_000);
});
