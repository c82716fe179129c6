import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLUSTER_PRESETS } from '../core/cluster/presets.ts';
import { CliError } from './args.ts';
import { meshSubmesh, parseMesh } from './shard.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

function meshplan(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/meshplan.mjs', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('meshplan shard', () => {
  it('prints the sharding plan of one GPT layer as one JSON object', () => {
    const r = meshplan('shard', '--model', 'zoo:gpt-tiny', '--cluster', 'p3.16xlarge:1x8', '--mesh', '1x8', '--batch', '8', '--layer', '0', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe('optimal');
    expect(out.objectiveSeconds).toBeGreaterThan(0);
    expect(out.meshShape).toEqual([1, 8]);
    expect(out.ops.length).toBe(23);
    for (const t of out.tensors) {
      expect(Object.keys(t)).toEqual(expect.arrayContaining(['name', 'kind', 'shape', 'spec']));
      expect(t.spec).toMatch(/^(R|S0|S1|S01)+$/);
    }
    for (const c of out.collectives) expect(Object.keys(c)).toEqual(expect.arrayContaining(['kind', 'axis', 'bytes', 'seconds']));
    expect(out.ilp).toEqual({ variables: expect.any(Number), constraints: expect.any(Number), solveSeconds: expect.any(Number) });
    expect(out.memoryBytesPerDevice).toBeGreaterThan(0);
  });

  it('reports infeasible with the smallest reachable memory under a tiny --memory-gb', () => {
    const r = meshplan('shard', '--model', 'zoo:gpt-tiny', '--cluster', 'p3.16xlarge:1x8', '--mesh', '2x4', '--memory-gb', '0.000001', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe('infeasible');
    expect(out.minimumMemoryBytes).toBeGreaterThan(0.000001 * 2 ** 30);
  });

  it('exits 2 with one line for a bad --mesh', () => {
    const r = meshplan('shard', '--model', 'zoo:gpt-tiny', '--cluster', 'p3.16xlarge:1x8', '--mesh', '3x3', '--json');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('9 GPUs');
  });

  it('maps a 2x8 mesh on two 8-GPU nodes to both whole nodes (axis 0 across nodes)', () => {
    const cluster = CLUSTER_PRESETS['p3.16xlarge'].cluster(2, 8);
    expect(meshSubmesh(cluster, [2, 8])).toEqual({ nodeStart: 0, nodes: 2, gpuStart: 0, gpusPerNode: 8 });
    expect(meshSubmesh(cluster, [1, 4])).toEqual({ nodeStart: 0, nodes: 1, gpuStart: 0, gpusPerNode: 4 });
    expect(parseMesh('2x8')).toEqual([2, 8]);
    expect(() => parseMesh('2by8')).toThrow(CliError);
  });
});
