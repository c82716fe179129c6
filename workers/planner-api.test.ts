import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from './core/cluster/spec.ts';
import type { Progress } from './core/plan/types.ts';
import { unpackTimeline } from './core/schedule/packedTimeline.ts';
import { createPlannerApi } from './planner-api.ts';
import { createNodePool } from './pool/nodePool.ts';

const api = createPlannerApi();

describe('planner API (called directly, as the worker exposes it)', () => {
  it('inspects a zoo model built in the worker', async () => {
    const r = await api.inspect({ kind: 'zoo', name: 'gpt-tiny' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.graph.name).toBe('gpt-tiny');
    expect(r.summary.layers).toBe(2);
    expect(r.summary.batch).toBe(8);
    expect(r.summary.params).toBeGreaterThan(0);
    expect(r.summary.flopsPerStep).toBeCloseTo(3 * r.summary.forwardFlops, -3);
  });

  it('inspects a graph the page holds, and names unknown zoo models', async () => {
    const built = await api.inspect({ kind: 'zoo', name: 'llama-tiny', batch: 4 });
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    const again = await api.inspect(built.graph);
    expect(again.ok && again.summary.params).toBe(built.summary.params);
    const bad = await api.inspect({ kind: 'zoo', name: 'gpt-404B' });
    expect(bad).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown zoo model 'gpt-404B' \(known: gpt-350M/) });
  });

  it('validates clusters, naming the node at fault', async () => {
    const good = parseClusterSpec('p3.16xlarge:2x8');
    expect(await api.validateCluster(good)).toEqual({ ok: true, problems: [] });
    const bad = { ...good, nodes: [good.nodes[0], { ...good.nodes[1], gpus: 0 }] };
    const r = await api.validateCluster(bad);
    expect(r.ok).toBe(false);
    expect(r.problems).toContain('node 1: gpus must be an integer in 1..72 (the largest NVLink domain sold is 72 GPUs (GB200 NVL72)), got 0');
    expect(await api.zooNames()).toContain('gpt-2.6B');
  });

  it('imports the GPT-2 ONNX sample: 124M parameters', async () => {
    const bytes = new Uint8Array(readFileSync(new URL('../public/models/gpt2-124m.onnx', import.meta.url)));
    const phases = new Set<string>();
    const r = await api.importFile('gpt2-124m.onnx', bytes, {}, (p: Progress) => phases.add(p.phase));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.summary.params).toBeGreaterThan(123e6);
    expect(r.summary.params).toBeLessThan(125e6);
    expect(r.summary.layers).toBe(12);
  });

  it('reports a bad file as an error value', async () => {
    const r = await api.importFile('broken.onnx', new Uint8Array([1, 2, 3, 4, 5]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.format).toBe('onnx');
  });

  it('plans a small model with progress, and refuses a broken cluster with a reason', async () => {
    const model = await api.inspect({ kind: 'zoo', name: 'gpt-tiny' });
    if (!model.ok) throw new Error(model.reason);
    const cluster = parseClusterSpec('p3.16xlarge:1x2');
    const { defaultPlanOptions } = await import('./core/plan.ts');
    const progress: Progress[] = [];
    const r = await api.plan(model.graph, cluster, defaultPlanOptions(model.graph), (p) => progress.push(p));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan.stages.length).toBeGreaterThanOrEqual(1);
    expect(r.plan.stepSeconds).toBeGreaterThan(0);
    expect(r.plan.stages.flatMap((s) => s.devices).sort()).toEqual([0, 1]);
    expect(progress.length).toBeGreaterThan(0);
    const packed = await api.plan(model.graph, cluster, defaultPlanOptions(model.graph), undefined, { packTimeline: true });
    expect(packed.ok && packed.plan.timeline).toEqual([]);
    expect(packed.ok && packed.packedTimeline && unpackTimeline(packed.packedTimeline)).toEqual(r.plan.timeline);
    // The other plans come as JSON bytes without their timelines, with each one's label and step beside them.
    expect(r.alternatives.length).toBeGreaterThan(0);
    expect(packed.ok && packed.alternatives).toEqual([]);
    const others = packed.ok && packed.alternativesJson ? JSON.parse(new TextDecoder().decode(packed.alternativesJson)) as typeof r.alternatives : [];
    expect(others.map((a) => [a.label, a.stepSeconds, a.timeline.length, a.stages.length])).toEqual(r.alternatives.map((a) => [a.label, a.stepSeconds, 0, a.stages.length]));
    expect(packed.ok && packed.alternativeSteps).toEqual(r.alternatives.map((a) => ({ label: a.label, stepSeconds: a.stepSeconds })));
    const broken = await api.plan(model.graph, { ...cluster, nodes: [] }, defaultPlanOptions(model.graph));
    expect(broken).toEqual({ ok: false, reason: 'cluster: cluster has no nodes' });
  });

  it('plans the same with the intra-op solves on a worker pool', async () => {
    const model = await api.inspect({ kind: 'zoo', name: 'gpt-tiny' });
    if (!model.ok) throw new Error(model.reason);
    const cluster = parseClusterSpec('p3.16xlarge:1x2');
    const { defaultPlanOptions } = await import('./core/plan.ts');
    const pool = createNodePool({ size: 1 });
    try {
      const pooled = await createPlannerApi({ intraPool: pool }).plan(model.graph, cluster, defaultPlanOptions(model.graph));
      const local = await api.plan(model.graph, cluster, defaultPlanOptions(model.graph));
      expect(pooled.ok && local.ok).toBe(true);
      if (pooled.ok && local.ok) {
        expect(pooled.plan.stepSeconds).toBeCloseTo(local.plan.stepSeconds, 12);
        expect(pooled.plan.stages.map((s) => s.logicalMesh)).toEqual(local.plan.stages.map((s) => s.logicalMesh));
      }
    } finally {
      await pool.terminate();
    }
  });

  it('serves Compare, Sweep and Learn from the whatif core (gpt-tiny on 1 and 2 GPUs)', async () => {
    const model = await api.inspect({ kind: 'zoo', name: 'gpt-tiny' });
    if (!model.ok) throw new Error(model.reason);
    const { defaultPlanOptions } = await import('./core/plan.ts');
    const options = defaultPlanOptions(model.graph);
    const one = parseClusterSpec('p3.16xlarge:1x1');
    const two = parseClusterSpec('p3.16xlarge:1x2');
    const col = await api.compareColumn(model.graph, two, options, 24.48, undefined, { packTimeline: true });
    if (!col.ok) throw new Error(col.reason);
    expect(col.plan.timeline).toEqual([]);
    expect(col.packedTimeline).toBeDefined();
    expect(col.summary.stepSeconds.value).toBe(col.plan.stepSeconds);
    expect(col.summary.costPerStep!.value).toBeCloseTo((24.48 * 2 * col.plan.stepSeconds) / 3600, 15);
    // The page's options carry no seq: tokens/s still comes, at the graph's own sequence length.
    const { seq: _seq, ...pageOptions } = options;
    const unseq = await api.compareColumn(model.graph, two, pageOptions);
    if (!unseq.ok) throw new Error(unseq.reason);
    expect(model.graph.seq).toBe(32);
    expect(unseq.summary.tokensPerSecond!.value).toBeCloseTo(unseq.plan.samplesPerSecond * 32, 9);
    const base = await api.compareColumn(model.graph, one, options);
    if (!base.ok) throw new Error(base.reason);
    const d = await api.diffScenarios({ input: { model: 'gpt-tiny', cluster: one, options }, plan: base.plan },
      { input: { model: 'gpt-tiny', cluster: two, options }, plan: col.plan });
    expect(d.inputs).toEqual([{ field: 'gpus-per-node', base: '1', other: '2' }]);

    const ref = { kind: 'graph' as const, graph: model.graph };
    expect(await api.checkSweep(ref, two, options, { variable: 'nodes', values: [1, 2] })).toEqual({ ok: true, points: 2 });
    expect(await api.checkSweep(ref, two, options, { variable: 'nodes', values: [1, 0] })).toEqual({ ok: false, reason: 'nodes=0: a cluster needs at least 1 node' });
    const pt = await api.sweepPoint(ref, one, options, 'gpus-per-node', 2, ['searched', 'megatron'], undefined, { packTimeline: true });
    if (!pt.ok) throw new Error(pt.reason);
    expect(pt.point.cluster).toBe('p3.16xlarge:1x2');
    expect(pt.point.series.map((s) => s.kind)).toEqual(['searched', 'megatron']);
    // The searched series of the point is the Compare column's plan for the same scenario.
    expect(pt.point.series[0].ok && pt.point.series[0].stepSeconds).toBe(col.plan.stepSeconds);
    expect(pt.point.plan!.timeline).toEqual([]);
    expect(unpackTimeline(pt.packedTimeline!).length).toBeGreaterThan(0);
    expect(await api.sweepPoint(ref, one, options, 'inter-gbps', 0)).toEqual({ ok: false, value: 0, reason: 'inter-gbps=0: bandwidth must be positive' });

    const learn = await api.learn(model.graph, two, options);
    if (!learn.ok) throw new Error(learn.reason);
    expect(learn.result.rows.map((r) => r.kind)).toEqual(['combined', 'intra-only', 'inter-only']);
    expect(learn.result.rows.every((r) => r.ok && r.plan.timeline.length === 0)).toBe(true);
    // One node: nothing crosses nodes.
    expect(learn.result.rows.every((r) => r.ok && r.traffic.crossNode.bytes === 0)).toBe(true);
    expect(learn.result.sentence.length).toBeGreaterThan(20);

    // The page's form: the graph as JSON bytes (no structured clone of the object per call) and lean plans (no
    // per-operator sharding): the same numbers.
    const bytes = new TextEncoder().encode(JSON.stringify(model.graph));
    const lean = await api.learn({ kind: 'json', bytes }, two, options, undefined, { lean: true });
    if (!lean.ok) throw new Error(lean.reason);
    expect(lean.result.sentence).toBe(learn.result.sentence);
    expect(lean.result.rows.map((r) => r.ok && r.stepSeconds.value)).toEqual(learn.result.rows.map((r) => r.ok && r.stepSeconds.value));
    expect(learn.result.rows.some((r) => r.ok && r.plan.stages.some((st) => st.sharding !== undefined))).toBe(true);
    expect(lean.result.rows.every((r) => r.ok && r.plan.stages.every((st) => st.sharding === undefined) && r.plan.trace.length === 0)).toBe(true);
    const x = await api.learnCrossover([{ value: 10, steps: { 'inter-only': 2, combined: 3 } }, { value: 100, steps: { 'inter-only': 2, combined: 1 } }]);
    expect(x.best).toEqual(['inter-only', 'combined']);
    expect(x.changes).toEqual([{ index: 1, value: 100, previousValue: 10, from: 'inter-only', to: 'combined' }]);
  });
});
