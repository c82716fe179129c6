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
    expect(r.problems).toContain('node 1: gpus must be a positive integer, got 0');
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
});
