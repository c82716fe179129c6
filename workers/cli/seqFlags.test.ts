import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

function meshplan(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/meshplan.mjs', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('meshplan plan --sp / --cp / --cp-kind', () => {
  it('a forced Megatron point with CP and SP: the JSON names each stage\'s choice, the text line too', () => {
    const args = ['plan', '--model', 'zoo:llama-3-8B', '--seq', '32768', '--batch', '1', '--cluster', 'dgx-h100:2x8', '--intra', 'manual',
      '--baseline', 'megatron', '--dp', '1', '--tp', '8', '--pp', '1', '--cp', '2', '--sp', 'on'];
    const r = meshplan(...args, '--json');
    expect(r.stderr).toBe('');
    const p = JSON.parse(r.stdout);
    expect(p.label).toBe('Megatron dp=1 tp=8 pp=1 sp cp=2 (ring)');
    expect(p.stages.map((s: { logicalMesh: number[]; sequenceParallel?: boolean; contextParallel?: unknown }) => [s.logicalMesh, s.sequenceParallel, s.contextParallel]))
      .toEqual([[[2, 8], true, { degree: 2, kind: 'ring' }]]);
    const text = meshplan(...args);
    expect(text.stdout).toMatch(/stage 0: layers 0\.\.\d+ on 2x8 \(H100-SXM\) as 2x8, SP, CP 2 \(ring\)/);
  }, 120_000);

  it('exits 2 with one line naming the bad value', () => {
    const base = ['plan', '--model', 'zoo:gpt-tiny', '--cluster', 'p3.16xlarge:1x2', '--json'];
    const sp = meshplan(...base, '--sp', 'maybe');
    expect([sp.status, sp.stderr]).toEqual([2, "meshplan plan: --sp must be one of on|off|auto, got 'maybe'\n"]);
    const cp = meshplan(...base, '--cp', '0');
    expect([cp.status, cp.stderr]).toEqual([2, "meshplan plan: --cp must be a whole number in 1..16,384 (a parallel degree cannot exceed the largest cluster (16,384 GPUs)), got '0'\n"]);
    const kind = meshplan(...base, '--cp', '2', '--cp-kind', 'star');
    expect([kind.status, kind.stderr]).toEqual([2, "meshplan plan: --cp-kind must be one of ring|ulysses, got 'star'\n"]);
    const alone = meshplan(...base, '--cp-kind', 'ring');
    expect([alone.status, alone.stderr]).toEqual([2, 'meshplan plan: --cp-kind needs --cp N\n']);
    const big = meshplan(...base, '--cp', '3');
    expect([big.status, big.stderr]).toEqual([2, "meshplan plan: cp must be an integer from 1 to the cluster's 2 GPUs, got 3\n"]);
    const seq = meshplan('plan', '--model', 'zoo:gpt-tiny', '--cluster', 'p3.16xlarge:1x4', '--json', '--cp', '3');
    expect([seq.status, seq.stderr]).toEqual([2, 'meshplan plan: cp 3 must divide the sequence length 32\n']);
  }, 60_000);

  it('--cp-split and --attention name their values', () => {
    const base = ['plan', '--model', 'zoo:gpt-tiny', '--cluster', 'p3.16xlarge:1x2', '--json'];
    const split = meshplan(...base, '--cp', '2', '--cp-split', 'zigzag');
    expect([split.status, split.stderr]).toEqual([2, "meshplan plan: --cp-split must be one of balanced|contiguous, got 'zigzag'\n"]);
    const attention = meshplan(...base, '--attention', 'flash');
    expect([attention.status, attention.stderr]).toEqual([2, "meshplan plan: --attention must be one of auto|fused|naive, got 'flash'\n"]);
  }, 60_000);
});
