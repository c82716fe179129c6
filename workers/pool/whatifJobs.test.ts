import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../core/cluster/spec.ts';
import { defaultPlanOptions } from '../core/plan/defaults.ts';
import { zooModel } from '../core/zoo/index.ts';
import { createJobRegistry } from './registry.ts';
import { pointPlan, WHATIF_JOBS, type ColumnJobInput, type ColumnResult, type PointJobInput, type PointJobOutput } from './whatifJobs.ts';

describe('what-if pool jobs (run in-thread through the registry, as a pool worker runs them)', () => {
  const registry = createJobRegistry();
  const options = defaultPlanOptions(zooModel('gpt-tiny'));
  const two = parseClusterSpec('p3.16xlarge:1x2');

  it('plan a Compare column from a zoo name built in the worker, with figures and a packed timeline', async () => {
    const run = await registry[WHATIF_JOBS.column]();
    const phases: string[] = [];
    const input: ColumnJobInput = { model: { kind: 'zoo', name: 'gpt-tiny' }, cluster: two, options, pricePerGpuHour: 3 };
    const r = (await run(input, (p) => phases.push(p.phase))) as ColumnResult;
    if (!r.ok) throw new Error(r.reason);
    expect(r.summary.stepSeconds.value).toBe(r.plan.stepSeconds);
    expect(r.summary.costPerStep!.value).toBeCloseTo((3 * 2 * r.plan.stepSeconds) / 3600, 12);
    expect(r.packedTimeline!.length).toBeGreaterThan(0);
    expect(phases.length).toBeGreaterThan(0);
    const bad = (await run({ ...input, model: { kind: 'zoo', name: 'gpt-nope' } })) as ColumnResult;
    expect(bad.ok).toBe(false);
  });

  it('plan a sweep point and return the scenario it stands for; a bad value is an error value naming it', async () => {
    const run = await registry[WHATIF_JOBS.point]();
    const input: PointJobInput = { model: { kind: 'zoo', name: 'gpt-tiny' }, cluster: parseClusterSpec('p3.16xlarge:1x1'), options,
      variable: 'gpus-per-node', value: 2, series: ['searched'] };
    const r = (await run(input)) as PointJobOutput;
    if (!r.ok) throw new Error(r.reason);
    expect(r.scenario?.cluster.name).toBe('p3.16xlarge:1x2');
    expect(r.scenario?.options).toEqual(options);
    expect(r.point.series.map((s) => s.kind)).toEqual(['searched']);
    // The searched plan travels as JSON bytes (transferred), not as an object the page would deserialise per point.
    expect(r.point.plan).toBeUndefined();
    const searched = r.point.series[0];
    expect(pointPlan(r)?.stepSeconds).toBe(searched.ok ? searched.stepSeconds : NaN);
    // A loaded graph posted as JSON bytes plans the same point.
    const bytes = new TextEncoder().encode(JSON.stringify(zooModel('gpt-tiny')));
    const fromBytes = (await run({ ...input, model: { kind: 'json', bytes } })) as PointJobOutput;
    expect(fromBytes.ok && fromBytes.point.series).toEqual(r.point.series);
    const zero = (await run({ ...input, value: 0 })) as PointJobOutput;
    expect(zero).toEqual({ ok: false, value: 0, reason: 'gpus-per-node=0: a node needs at least 1 GPU' });
  });
});
