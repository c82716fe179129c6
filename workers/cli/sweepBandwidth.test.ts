/**
 * The issue's must-show sweep: GPT-15B on 4 x 8 V100 (p3.16xlarge) over inter-node bandwidth. What our cost model
 * gives, and why: every stage stays inside one node up to 400 Gbit/s (a node's NIC is shared by its 8 GPUs' rings:
 * at most 6.25 GB/s each, against 130 GB/s NVLink), so the only traffic crossing nodes is the pipeline's sends;
 * the structure still changes along the sweep (micro-batches, stage count, remat), and the stages begin to span
 * nodes (fewer stages: the paper's direction) only once the link is much faster (1000 Gbit/s here).
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
interface Series { kind: string; ok: boolean; feasible: boolean; stepSeconds: number; structure: Structure }
interface Point { value: number; feasible: boolean; series: Series[] }

const searched = (p: Point): Series => p.series.find((s) => s.kind === 'searched')!;
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

  it('spans nodes with fewer stages once the link is fast enough (1000 Gbit/s)', () => {
    const out = sweep('--vary', 'inter-gbps=10,1000', '--series', 'searched');
    const [slow, fast] = (out.points as Point[]).map(searched);
    expect(fast.structure.stages).toBeLessThan(slow.structure.stages);
    expect(fast.structure.meshes.some(spansNodes)).toBe(true);
    expect(out.changes).toHaveLength(1);
    expect(out.changes[0]).toMatchObject({ index: 1, value: 1000, previousValue: 10 });
    expect(out.changes[0].text).toContain(`${slow.structure.stages} -> ${fast.structure.stages} stages`);
  }, 300_000);
});
