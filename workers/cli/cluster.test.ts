import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from './args.ts';
import { loadClusterArg } from './cluster.ts';
import { parseClusterSpec } from '../core/cluster/spec.ts';

const dir = mkdtempSync(join(tmpdir(), 'meshplan-cluster-'));
const write = (name: string, data: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof data === 'string' ? data : JSON.stringify(data));
  return p;
};

describe('loadClusterArg', () => {
  it('loads presets', async () => {
    expect((await loadClusterArg('dgx-h100:1x2')).nodes).toEqual([{ gpu: 'H100-SXM', gpus: 2 }]);
  });

  it('loads a JSON cluster and round-trips a preset', async () => {
    const c = parseClusterSpec('p3.16xlarge:2x8');
    expect(await loadClusterArg(write('p3.json', c))).toEqual(c);
  });

  it('fits a measured profile (tools/profile-cluster) into a cluster of the profiled GPUs', async () => {
    const file = new URL('../../bench/bridge/h100x1-calibration-profile.json', import.meta.url).pathname;
    const c = await loadClusterArg(file);
    expect(c.nodes).toEqual([{ gpu: 'H100-SXM (profiled)', gpus: 1 }]);
    expect(c.gpuSpecs?.['H100-SXM (profiled)']?.launchSeconds).toBeCloseTo(10.55e-6, 8);
    const bad = write('profile.json', { format: 'meshplan.cluster-profile', version: 1, gpu: { name: 'H100' } });
    await expect(loadClusterArg(bad)).rejects.toThrow(/profile.json: gpu.multiprocessors: not a positive number/);
  });

  it('turns every problem into a one-line CliError naming it', async () => {
    await expect(loadClusterArg('nope:1x1')).rejects.toThrow(CliError);
    await expect(loadClusterArg('nope:1x1')).rejects.toThrow(/--cluster: unknown cluster preset 'nope'/);
    await expect(loadClusterArg(join(dir, 'missing.json'))).rejects.toThrow(/cluster file not found: .*missing.json/);
    await expect(loadClusterArg(write('bad.json', '{'))).rejects.toThrow(/bad.json: not valid JSON/);
    const c = parseClusterSpec('p3.16xlarge:2x8');
    await expect(loadClusterArg(write('nogpus.json', { ...c, nodes: [{ gpu: 'V100-16GB' }] })))
      .rejects.toThrow(/nogpus.json: nodes\[0\].gpus: /);
    await expect(loadClusterArg(write('zero.json', { ...c, interNode: { bandwidthBytesPerSecond: 0, latencySeconds: 0 } })))
      .rejects.toThrow(/zero.json: interNode.bandwidthBytesPerSecond must be a number in \[1,000,000, 1e15\] \(links run between 1 MB\/s and 1 PB\/s.*\), got 0/);
  });
});
