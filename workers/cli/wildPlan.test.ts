/**
 * Every fixture of fixtures/wild plans feasibly on one DGX H100 node (8 GPUs) through the CLI, as a user would run
 * it: `meshplan plan --model <file> --cluster dgx-h100:1x8`. The search is bounded (2 layer clusters, 4
 * microbatches) to keep the suite's time; feasibility does not depend on it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(`${repoRoot}/fixtures/wild/manifest.json`, 'utf8')) as { file: string; params_expected: number }[];

describe('meshplan plan on the wild fixtures', () => {
  it.each(manifest.map((e) => [e.file, e] as const))('%s: a feasible plan on dgx-h100:1x8', (file, e) => {
    // Every file at --batch 16, CLIP too: its similarity logits [images, texts] carry the batch on both dims.
    const r = spawnSync(process.execPath, ['bin/meshplan.mjs', 'plan', '--model', `fixtures/wild/${file}`, '--cluster', 'dgx-h100:1x8',
      '--batch', '16', '--microbatches', '4', '--layers', '2', '--json'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const p = JSON.parse(r.stdout) as { feasible: boolean; stepSeconds: number; globalBatch: number; stages: { devices: number[] }[] };
    expect(p.feasible).toBe(true);
    expect(p.globalBatch).toBe(16);
    expect(p.stepSeconds).toBeGreaterThan(0);
    expect(p.stages.reduce((n, s) => n + s.devices.length, 0)).toBeLessThanOrEqual(8);
    expect(e.params_expected).toBeGreaterThan(0);
  }, 600_000);

  it.each([['gpt-scan.forward.hlo.txt'], ['gpt-scan.train.hlo.txt']])('hlo/%s (XLA HLO text): inspect prints params, FLOPs, layers; a feasible plan on dgx-h100:1x8', (file) => {
    const inspect = spawnSync(process.execPath, ['bin/meshplan.mjs', 'inspect', '--model', `fixtures/wild/hlo/${file}`], { cwd: repoRoot, encoding: 'utf8' });
    expect([inspect.status, inspect.stderr]).toEqual([0, '']);
    expect(inspect.stdout).toContain('params                3.45 million (3450112)');
    expect(inspect.stdout).toMatch(/forward FLOPs +3\.8\d\d GFLOP/);
    expect(inspect.stdout).toContain('layers                4');
    const r = spawnSync(process.execPath, ['bin/meshplan.mjs', 'plan', '--model', `fixtures/wild/hlo/${file}`, '--cluster', 'dgx-h100:1x8', '--layers', '2', '--json'],
      { cwd: repoRoot, encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    const p = JSON.parse(r.stdout) as { feasible: boolean; stepSeconds: number; model: string };
    expect(p.feasible).toBe(true);
    expect(p.stepSeconds).toBeGreaterThan(0);
    expect(p.model).toBe(file.replace('.hlo.txt', ''));
  }, 600_000);
});
