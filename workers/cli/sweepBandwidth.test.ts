/**
 * The must-show sweep: GPT-15B on 4 x 8 V100 (p3.16xlarge) over inter-node bandwidth, and the mechanism
 * behind what it gives (numbers in workers/core/whatif/README.md):
 * - Memory decides whether a stage may span nodes. GPT-15B's parameters, gradients and Adam state take 240 GB, 7.5 GB
 *   per GPU even spread over all 32 of 16 GB, so no plan can replicate parameters: a stage across nodes needs
 *   ZeRO-3-like sharding (parameters gathered over the inter-node link for every micro-batch) or TP 8 (slower at any
 *   bandwidth). Plain data parallelism would be the fastest plan from 400 Gbit/s on (53.5 s vs 55.7 s) but needs
 *   260 GiB per GPU; the fully sharded 4x8 stage wins only near 1000 Gbit/s.
 * - Below that every stage sits inside a node and only the pipeline's sends cross nodes. In 1F1B a send between two
 *   stages is exposed once per micro-batch unless the sending stage has slack, so at low bandwidth the pipeline
 *   wants light stages at the node boundaries; with 16 GB the structures within 10-400 Gbit/s are then near ties
 *   (8 stages at 10-50 Gbit/s, 12-14 above), decided by which stage the LM head makes the bottleneck.
 * - With memory for replication (32 GB per GPU, as on p3dn.24xlarge) the direction the issue names appears: more,
 *   smaller stages at low bandwidth (their node-boundary stages carry less work, so the slow sends hide) and fewer,
 *   larger in-node stages once the link is fast.
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
  it('names where the plan structure changes between 10 and 400 Gbit/s, every stage inside a node', () => {
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
      expect(c.text.length).toBeGreaterThan(5);
    }
    // Up to 400 Gbit/s every searched stage sits inside one node: only pipeline sends cross nodes.
    for (const p of points) expect(searched(p).structure.meshes.filter(spansNodes)).toEqual([]);
  }, 300_000);

  it('memory keeps stages inside nodes: data parallelism would be faster from 400 Gbit/s on but does not fit; at 1000 one sharded stage spans all nodes', () => {
    const out = sweep('--vary', 'inter-gbps=10,400,1000', '--series', 'searched,dp');
    const [slow, mid, fast] = out.points as Point[];
    for (const p of [mid, fast]) {
      const dp = of(p, 'dp');
      expect(dp.stepSeconds).toBeLessThan(searched(p).stepSeconds);
      expect(dp.feasible).toBe(false);
      expect(dp.infeasibleReason).toMatch(/needs 259\.\d\d GiB per device, .* over the 16\.00 GiB limit/);
    }
    expect(searched(mid).structure.meshes.filter(spansNodes)).toEqual([]);
    expect(searched(fast).structure.stages).toBeLessThan(searched(slow).structure.stages);
    expect(searched(fast).structure.meshes.some(spansNodes)).toBe(true);
    const last = out.changes[out.changes.length - 1];
    expect(last).toMatchObject({ index: 2, value: 1000, previousValue: 400 });
    expect(last.text).toContain(`${searched(mid).structure.stages} -> ${searched(fast).structure.stages} stages`);
  }, 300_000);

  it('with memory for it (32 GB per GPU): more pipeline stages at low bandwidth, fewer at high, all inside nodes', () => {
    const out = sweep('--vary', 'inter-gbps=10,400', '--series', 'searched', '--memory-gb', '32');
    const [slow, fast] = (out.points as Point[]).map(searched);
    expect(slow.structure.stages).toBeGreaterThan(fast.structure.stages);
    for (const s of [slow, fast]) expect(s.structure.meshes.filter(spansNodes)).toEqual([]);
    expect(out.changes).toHaveLength(1);
    expect(out.changes[0]).toMatchObject({ index: 1, value: 400, previousValue: 10 });
    expect(out.changes[0].aspects).toContain('stages');
    expect(out.changes[0].text).toContain(`${slow.structure.stages} -> ${fast.structure.stages} stages`);
  }, 300_000);
});
