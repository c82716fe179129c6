import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../core/cluster/spec.ts';
import { defaultPlanOptions } from '../core/plan.ts';
import { zooModel } from '../core/zoo/index.ts';
import { runLearn } from '../core/whatif/learn.ts';
import { createPlannerApi } from '../planner-api.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

function meshplan(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/meshplan.mjs', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('meshplan sweep / compare (what-if)', () => {
  it('refuses bad sweeps with exit 2 and one line naming the value', () => {
    const base = ['sweep', '--model', 'zoo:gpt-tiny', '--cluster', 'p3.16xlarge:2x8', '--json'];
    const cases: [string[], string][] = [
      [['--vary', 'bandwidth=1,2'], "meshplan sweep: unknown sweep variable 'bandwidth' (variables: nodes, gpus-per-node, inter-gbps, intra-gbps, gpu, batch, microbatches, seq)\n"],
      [['--vary', 'nodes=1,0,4'], 'meshplan sweep: nodes=0: a cluster needs at least 1 node\n'],
      [['--vary', 'inter-gbps=100,0'], 'meshplan sweep: inter-gbps=0: bandwidth must be positive\n'],
      [['--vary', `batch=${Array.from({ length: 70 }, (_, i) => 8 * (i + 1)).join(',')}`], 'meshplan sweep: a sweep of 70 points (batch=8..560): at most 64\n'],
      [[], 'meshplan sweep: missing --vary\n'],
      [['--vary', 'nodes=1', '--series', 'ddp'], "meshplan sweep: --series: unknown series 'ddp' (chart, all, or a list of searched, megatron, intra-only, inter-only, dp, zero3)\n"],
    ];
    for (const [extra, line] of cases) {
      const r = meshplan(...base, ...extra);
      expect(r.stderr).toBe(line);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
    }
    const file = meshplan('sweep', '--model', 'public/models/gpt2-124m.onnx', '--cluster', 'p3.16xlarge:1x8', '--vary', 'seq=64,128', '--json');
    expect(file.stderr).toBe('meshplan sweep: seq=64: gpt2-124m is a fixed graph (imported); only zoo models can change sequence length\n');
    expect(file.status).toBe(2);
  }, 120_000);

  it('compare with two clusters: a plan and the baselines per cluster, and what differs from the first', () => {
    const r = meshplan('compare', '--model', 'zoo:gpt-350M', '--cluster', 'p3.16xlarge:1x4', '--cluster', 'p3.16xlarge:2x4', '--batch', '64',
      '--intra', 'manual', '--price', '3.06', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.scenarios.map((s: { cluster: string }) => s.cluster)).toEqual(['p3.16xlarge:1x4', 'p3.16xlarge:2x4']);
    for (const s of out.scenarios) {
      expect(s.plans.map((p: { kind: string }) => p.kind)).toEqual(['searched', 'megatron', 'dp', 'zero3', 'intra-only', 'inter-only']);
      expect(s.figures.stepSeconds.value).toBe(s.plans[0].stepSeconds);
      expect(s.figures.costPerStep.value).toBeCloseTo((3.06 * s.figures.gpus * s.plans[0].stepSeconds) / 3600, 12);
    }
    expect(out.differences).toHaveLength(1);
    const d = out.differences[0];
    expect(d).toMatchObject({ cluster: 'p3.16xlarge:2x4', against: 'p3.16xlarge:1x4', inputs: [{ field: 'nodes', base: '1', other: '2' }] });
    expect(d.boundaries.stageCount).toEqual({ base: out.scenarios[0].plans[0].stages, other: out.scenarios[1].plans[0].stages });
    expect(d.terms.find((t: { term: string }) => t.term === 'step').other).toBe(out.scenarios[1].plans[0].stepSeconds);
  }, 120_000);

  it("prints the same numbers as the page's planner API for the same scenarios", async () => {
    const sweep = meshplan('sweep', '--model', 'zoo:gpt-350M', '--cluster', 'p3.16xlarge:1x4', '--batch', '64', '--vary', 'gpus-per-node=2,4', '--json');
    expect(sweep.stderr).toBe('');
    const compare = meshplan('compare', '--model', 'zoo:gpt-350M', '--cluster', 'p3.16xlarge:1x2', '--cluster', 'p3.16xlarge:1x4', '--batch', '64', '--json');
    expect(compare.stderr).toBe('');
    const s = JSON.parse(sweep.stdout);
    // Points fanned out over worker_threads (the page's sweep-point job) give the same JSON.
    const fanned = meshplan('sweep', '--model', 'zoo:gpt-350M', '--cluster', 'p3.16xlarge:1x4', '--batch', '64', '--vary', 'gpus-per-node=2,4', '--workers', '2', '--json');
    expect(fanned.stderr).toBe('');
    expect(JSON.parse(fanned.stdout)).toEqual(s);
    const c = JSON.parse(compare.stdout);
    const api = createPlannerApi();
    const g = zooModel('gpt-350M', { batch: 64 });
    const options = defaultPlanOptions(g);
    const base = parseClusterSpec('p3.16xlarge:1x4');
    for (const [i, value] of [2, 4].entries()) {
      const r = await api.sweepPoint({ kind: 'graph', graph: g }, base, options, 'gpus-per-node', value);
      if (!r.ok) throw new Error(r.reason);
      expect(s.points[i].series).toEqual(JSON.parse(JSON.stringify(r.point.series)));
      const col = await api.compareColumn(g, parseClusterSpec(`p3.16xlarge:1x${value}`), options);
      if (!col.ok) throw new Error(col.reason);
      expect(c.scenarios[i].plans[0].stepSeconds).toBe(col.plan.stepSeconds);
      expect(c.scenarios[i].figures).toEqual(JSON.parse(JSON.stringify(col.summary)));
      // The sweep's searched point and the compare column are the same plan.
      expect(s.points[i].series[0].stepSeconds).toBe(col.plan.stepSeconds);
      // Each point's step comes with its cost-model terms in the JSON, as the Compare column's step figure does.
      expect(s.points[i].series[0].stepTerms).toEqual(JSON.parse(JSON.stringify(col.summary.stepSeconds)));
      expect(s.points[i].series[0].stepTerms.terms.map((t: { label: string }) => t.label).slice(0, 2)).toEqual(['compute', 'intra-stage communication']);
    }
  }, 240_000);

  it("learn prints the core's three plans and its sentence", async () => {
    const r = meshplan('learn', '--model', 'zoo:gpt-350M', '--cluster', 'p3.16xlarge:2x4', '--batch', '64', '--intra', 'manual', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    const g = zooModel('gpt-350M', { batch: 64 });
    const core = await runLearn(g, parseClusterSpec('p3.16xlarge:2x4'), defaultPlanOptions(g), { intra: 'manual' });
    expect(out.sentence).toBe(core.sentence);
    expect(out.winner).toBe(core.winner);
    expect(out.rows.map((x: { kind: string }) => x.kind)).toEqual(['combined', 'intra-only', 'inter-only']);
    out.rows.forEach((x: { stepSeconds: { value: number }; traffic: { crossNode: { bytes: number } } }, i: number) => {
      const c = core.rows[i];
      if (!c.ok) throw new Error(c.reason);
      expect(x.stepSeconds.value).toBe(c.stepSeconds.value);
      expect(x.traffic.crossNode.bytes).toBe(c.traffic.crossNode.bytes);
    });
  }, 120_000);

  it('names the structure changes of the first series asked for when the search is not among them', () => {
    const r = meshplan('sweep', '--model', 'zoo:gpt-350M', '--cluster', 'p3.16xlarge:1x8', '--batch', '64', '--intra', 'manual',
      '--vary', 'gpus-per-node=2,8', '--series', 'megatron', '--json');
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.series).toEqual(['megatron']);
    expect(out.changesOf).toBe('megatron');
    const [a, b] = out.points.map((p: { series: { structure: { meshes: string[] } }[] }) => p.series[0].structure.meshes);
    expect(a).not.toEqual(b);
    expect(out.changes).toHaveLength(1);
    expect(out.changes[0]).toMatchObject({ index: 1, value: 8, previousValue: 2, aspects: expect.arrayContaining(['meshes']) });
    expect(out.changes[0].text).toMatch(new RegExp(`meshes ${a[0]}.* -> ${b[0]}`));
  }, 120_000);
});
