import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import { defaultPlanOptions } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';
import { applySweepValue, checkSweep, parseSweep, type SweepScenario } from './sweep.ts';

const graph = zooModel('gpt-tiny');
const base: SweepScenario = { model: { kind: 'graph', graph }, cluster: parseClusterSpec('p3.16xlarge:2x8'), options: defaultPlanOptions(graph) };

describe('sweep variables', () => {
  it('parses a spec and names what is wrong with a bad one', () => {
    expect(parseSweep('nodes=1,2,4,8')).toEqual({ ok: true, value: { variable: 'nodes', values: [1, 2, 4, 8] } });
    expect(parseSweep('gpu=V100-16GB,H100-SXM')).toEqual({ ok: true, value: { variable: 'gpu', values: ['V100-16GB', 'H100-SXM'] } });
    expect(parseSweep('bandwidth=1,2')).toEqual({ ok: false, reason: "unknown sweep variable 'bandwidth' (variables: nodes, gpus-per-node, inter-gbps, intra-gbps, gpu, batch, microbatches, seq)" });
    expect(parseSweep('nodes=1,two')).toEqual({ ok: false, reason: 'nodes=two: not a number' });
    expect(parseSweep('nodes')).toMatchObject({ ok: false, reason: expect.stringContaining("--vary 'nodes': expected <variable>=<v1>,<v2>") });
    const many = Array.from({ length: 65 }, (_, i) => i + 1).join(',');
    expect(parseSweep(`batch=${many}`)).toEqual({ ok: false, reason: 'a sweep of 65 points (batch=1..65): at most 64' });
  });

  it('refuses values that make the cluster or the options invalid, naming the value', () => {
    expect(applySweepValue(base, 'nodes', 0)).toEqual({ ok: false, reason: 'nodes=0: a cluster needs at least 1 node' });
    expect(applySweepValue(base, 'inter-gbps', 0)).toEqual({ ok: false, reason: 'inter-gbps=0: bandwidth must be positive' });
    expect(applySweepValue(base, 'intra-gbps', -5)).toEqual({ ok: false, reason: 'intra-gbps=-5: bandwidth must be positive' });
    expect(applySweepValue(base, 'gpus-per-node', 0)).toEqual({ ok: false, reason: 'gpus-per-node=0: a node needs at least 1 GPU' });
    expect(applySweepValue(base, 'nodes', 2.5)).toEqual({ ok: false, reason: 'nodes=2.5: must be a positive integer' });
    expect(applySweepValue(base, 'gpu', 'TPU-v4')).toMatchObject({ ok: false, reason: expect.stringMatching(/^gpu=TPU-v4: unknown GPU type \(known: V100-16GB/) });
    expect(applySweepValue(base, 'microbatches', 3)).toEqual({ ok: false, reason: 'microbatches=3: must divide the global batch 8' });
    expect(applySweepValue({ ...base, options: { ...base.options, microbatches: 4 } }, 'batch', 6))
      .toEqual({ ok: false, reason: 'batch=6: the 4 micro-batches must divide the global batch' });
    expect(applySweepValue(base, 'seq', 64)).toEqual({ ok: false, reason: 'seq=64: gpt-tiny is a fixed graph (imported); only zoo models can change sequence length' });
    // The first bad value of a sweep is the one named.
    expect(checkSweep(base, { variable: 'nodes', values: [1, 2, 0, 4] })).toEqual({ ok: false, reason: 'nodes=0: a cluster needs at least 1 node' });
  });

  it('applies each variable to the cluster or the options', () => {
    const at = (v: Parameters<typeof applySweepValue>[1], x: number | string) => {
      const r = applySweepValue(base, v, x);
      if (!r.ok) throw new Error(r.reason);
      return r.value;
    };
    expect(at('nodes', 4).cluster.nodes.length).toBe(4);
    expect(at('nodes', 4).cluster.name).toBe('p3.16xlarge:4x8');
    expect(at('gpus-per-node', 4).cluster.nodes.map((n) => n.gpus)).toEqual([4, 4]);
    expect(at('inter-gbps', 100).cluster.interNode.bandwidthBytesPerSecond).toBe(12.5e9);
    expect(at('inter-gbps', 100).cluster.interNode.latencySeconds).toBe(base.cluster.interNode.latencySeconds);
    expect(at('intra-gbps', 800).cluster.intraNode.bandwidthBytesPerSecond).toBe(100e9);
    const h100 = at('gpu', 'H100-SXM').cluster;
    expect(h100.nodes.every((n) => n.gpu === 'H100-SXM')).toBe(true);
    expect(h100.intraNode.bandwidthBytesPerSecond).toBe(306e9);
    expect(at('batch', 16).options.globalBatch).toBe(16);
    expect(at('microbatches', 4).options.microbatches).toBe(4);
    const zoo = applySweepValue({ ...base, model: { kind: 'zoo', name: 'gpt-tiny' } }, 'seq', 64);
    expect(zoo.ok && zoo.value.model).toEqual({ kind: 'zoo', name: 'gpt-tiny', seq: 64 });
    expect(zoo.ok && zoo.value.options.seq).toBe(64);
  });
});
