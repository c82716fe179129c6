/**
 * The issue's must-show sweep: GPT-15B on 4 x 8 V100 (p3.16xlarge) over inter-node bandwidth, and the mechanism
 * behind what it gives (numbers in workers/core/whatif/README.md):
 * - Slow links (10-50 Gbit/s): 8 pipeline stages of 1x4 (two per node). Only the pipeline's sends cross nodes, and in
 *   1F1B a send between adjacent stages is exposed once per micro-batch unless its sender has slack: more, smaller
 *   stages keep the stages at node boundaries light, so their slow sends hide.
 * - Fast links (100 Gbit/s on): 4 stages of one whole node each (1x8), fewer stages and a smaller bubble once the
 *   cross-node sends are cheap.
 * - Plain data parallelism never fits: GPT-15B's weights, gradients and Adam state are 240 GB, 7.5 GB per GPU even
 *   spread over all 32 16-GB V100s; replicated data parallelism needs 252 GiB per GPU (260 GiB before Megatron's
 *   fused kernels' residuals were priced, mem405).
 * - With 32 GB per GPU the same direction: 11 stages inside nodes at 10 Gbit/s; at 400 Gbit/s one stage over all
 *   four nodes (16-way data parallel x TP 2, 16 micro-batches), whose gradient all-reduce the fast links now carry.
 *   (Before mem405 the activations did not let one stage fit 32 GB: the fast plan kept 4 stages inside nodes.)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

function sweep(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/meshplan.mjs', 'sweep', '--model', 'zoo:gpt-15B', '--cluster', 'p3.16xlarge:4x8', ...args, '--json'],
    { cwd: repoRoot, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

interface Structure { stages: number; meshes: string[]; microbatches: number; remat: boolean[] }
interface Series { kind: string; ok: boolean; feasible: boolean; infeasibleReason?: string; stepSeconds: number; structure: Structure }
interface Point { value: number; feasible: boolean; series: Series[] }

const of = (p: Point, kind: string): Series => p.series.find((s) => s.kind === kind)!;
const searched = (p: Point): Series => of(p, 'searched');
/** Whether a searched stage's sub-mesh ('<nodes>x<gpus>/<logical>') spans more than one node. */
const spansNodes = (mesh: string): boolean => Number(mesh.split('x')[0]) > 1;

describe('meshplan sweep over inter-node bandwidth (GPT-15B, p3.16xlarge:4x8)', () => {
  it('names where the plan structure changes between 10 and 400 Gbit/s: more pipeline stages when slow, fewer when fast', () => {
    const out = sweep('--vary', 'inter-gbps=10,25,50,100,200,400');
    expect(out.values).toEqual([10, 25, 50, 100, 200, 400]);
    const points: Point[] = out.points;
    expect(points.map((p) => p.series.map((s) => s.kind))).toEqual(points.map(() => ['searched', 'megatron', 'intra-only', 'inter-only']));
    expect(points.every((p) => p.feasible)).toBe(true);
    // Faster links never make a plan slower.
    const steps = points.map((p) => searched(p).stepSeconds);
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeLessThanOrEqual(steps[i - 1] * (1 + 1e-9));
    expect(out.changes.length).toBeGreaterThanOrEqual(1);
    for (const c of out.changes) {
      const [a, b] = [searched(points[c.index - 1]).structure, searched(points[c.index]).structure];
      expect(c.value).toBe(out.values[c.index]);
      expect(c.previousValue).toBe(out.values[c.index - 1]);
      expect(c.aspects.includes('stages')).toBe(a.stages !== b.stages);
      expect(c.aspects.includes('microbatches')).toBe(a.microbatches !== b.microbatches);
      if (a.stages !== b.stages) expect(c.text).toContain(`${a.stages} -> ${b.stages} stages`);
    }
    // 10 Gbit/s: a pipeline of at least one stage per node, every stage inside one; 400 Gbit/s: fewer stages.
    const [slow, fast] = [searched(points[0]).structure, searched(points[points.length - 1]).structure];
    expect(slow.stages).toBeGreaterThanOrEqual(4);
    expect(slow.meshes.filter(spansNodes)).toEqual([]);
    expect(fast.stages).toBeLessThan(slow.stages);
    // The JSON names the first point where the stage count falls, and says so.
    const at = points.findIndex((p) => searched(p).structure.stages < slow.stages);
    const change = out.changes.find((c: { index: number }) => c.index === at);
    expect(change).toBeDefined();
    expect(change.aspects).toEqual(expect.arrayContaining(['stages', 'meshes']));
    expect(change.text).toContain(`${slow.stages} -> ${searched(points[at]).structure.stages} stages`);
  }, 300_000);

  it('plain data parallelism does not fit at any bandwidth: 252 GiB per GPU of replicated state', () => {
    const out = sweep('--vary', 'inter-gbps=10,400', '--series', 'searched,dp');
    const [slow, fast] = out.points as Point[];
    for (const p of [slow, fast]) {
      const dp = of(p, 'dp');
      expect(dp.feasible).toBe(false);
      expect(dp.infeasibleReason).toMatch(/needs 251\.\d\d GiB per device, .* over the 16\.00 GiB limit/);
    }
    expect(searched(fast).feasible).toBe(true);
    expect(searched(fast).stepSeconds).toBeLessThan(searched(slow).stepSeconds);
  }, 300_000);

  it('with memory for it (32 GB per GPU): more pipeline stages inside nodes at low bandwidth, one stage over all nodes at high', () => {
    const out = sweep('--vary', 'inter-gbps=10,400', '--series', 'searched', '--memory-gb', '32');
    const [slow, fast] = (out.points as Point[]).map(searched);
    expect(slow.structure.stages).toBeGreaterThan(fast.structure.stages);
    expect(slow.structure.meshes.filter(spansNodes)).toEqual([]);
    expect(fast.structure.meshes).toEqual(['4x8/16x2']);
    expect(out.changes).toHaveLength(1);
    expect(out.changes[0]).toMatchObject({ index: 1, value: 400, previousValue: 10 });
    expect(out.changes[0].aspects).toContain('stages');
    expect(out.changes[0].text).toContain(`${slow.structure.stages} -> ${fast.structure.stages} stages`);
  }, 300_000);
});
