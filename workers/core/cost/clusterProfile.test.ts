import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { H100_NVLINK } from '../cluster/presets.ts';
import { checkClusterProfile, clusterFromProfile, type ClusterProfile, type ProfiledCluster } from './clusterProfile.ts';
import { minimiseMax, type FitPoint } from './profileFit.ts';
import { validateCluster } from '../cluster/spec.ts';

const load = (name: string): ClusterProfile => JSON.parse(readFileSync(new URL(`../../../bench/bridge/${name}`, import.meta.url), 'utf8'));
function fitted(name: string): ProfiledCluster {
  const r = clusterFromProfile(load(name));
  if (typeof r === 'string') throw new Error(r);
  return r;
}
const worst = (pts: readonly FitPoint[]) => Math.max(...pts.map((p) => Math.abs(p.error)));
const mean = (pts: readonly FitPoint[]) => pts.reduce((a, p) => a + Math.abs(p.error), 0) / pts.length;

describe('clusterFromProfile on the H100 calibration measurements (2 GPUs, NVLink)', () => {
  const r = fitted('h100-calibration-profile.json');
  const held = r.points.filter((p) => !p.leftOut);
  const of = (kind: FitPoint['kind'], dtype?: string) => held.filter((p) => p.kind === kind && (!dtype || p.label.startsWith(dtype + ' ')));

  it('reproduces the bf16 and tf32 GEMMs over 35 us within 11%, fp16 within 17% (one curve for both 16-bit types)', () => {
    expect(of('matmul', 'bfloat16')).toHaveLength(45);
    expect(worst(of('matmul', 'bfloat16'))).toBeLessThan(0.11);
    expect(mean(of('matmul', 'bfloat16'))).toBeLessThan(0.05);
    expect(worst(of('matmul', 'tf32'))).toBeLessThan(0.1);
    expect(worst(of('matmul', 'float16'))).toBeLessThan(0.17);
  });

  it('reproduces the memory-bound kernels over 64 MiB within 10% and the collectives over 1 MiB within 13%', () => {
    expect(of('bandwidth')).toHaveLength(8);
    expect(worst(of('bandwidth'))).toBeLessThan(0.1);
    expect(of('collective')).toHaveLength(29);
    expect(worst(of('collective'))).toBeLessThan(0.13);
    expect(r.cluster.intraNode.bandwidthBytesPerSecond / 1e9).toBeGreaterThan(290);
    expect(r.cluster.intraNode.bandwidthBytesPerSecond / 1e9).toBeLessThan(330);
  });

  it('says what it left out and why', () => {
    const left = r.points.filter((p) => p.leftOut);
    expect(left.filter((p) => p.kind === 'matmul' && /dispatch floor/.test(p.leftOut!))).toHaveLength(22);
    expect(left.filter((p) => p.kind === 'matmul' && /fp32 without tensor cores/.test(p.leftOut!))).toHaveLength(39);
    expect(left.filter((p) => p.kind === 'collective' && /^outlier/.test(p.leftOut!)).map((p) => p.label)).toEqual(['reduce-scatter x2 134217728 B']);
    expect(r.notes.join('\n')).toMatch(/left out of the fit: 22 matmul: under 35 us/);
  });

  it('is a valid Cluster of 2 profiled GPUs', () => {
    expect(validateCluster(r.cluster)).toEqual([]);
    expect(r.cluster.nodes).toEqual([{ gpu: 'H100-SXM (profiled)', gpus: 2 }]);
    expect(r.basePreset).toBe('H100-SXM');
  });
});

describe('clusterFromProfile without collective curves (one GPU)', () => {
  it("keeps the preset's link figures and says so", () => {
    const r = fitted('h100x1-calibration-profile.json');
    expect(r.cluster.intraNode).toEqual(H100_NVLINK);
    expect(r.cluster.nodes).toEqual([{ gpu: 'H100-SXM (profiled)', gpus: 1 }]);
    expect(r.notes.some((n) => n.startsWith("collective curves absent (one GPU visible") && n.includes("the dgx-h100 preset's link figures are kept"))).toBe(true);
    expect(r.points.filter((p) => p.kind === 'collective')).toHaveLength(0);
  });
});

describe('checkClusterProfile', () => {
  it('names the first bad field', () => {
    const p = load('h100x1-calibration-profile.json');
    expect(checkClusterProfile({ ...p, format: 'x' })).toBe('format is not "meshplan.cluster-profile"');
    expect(checkClusterProfile({ ...p, matmul: [{ dtype: 'bfloat16', m: 1, n: 1, k: 1, s: -1 }] })).toBe('matmul[0].s: not a positive number');
    expect(checkClusterProfile({ ...p, collectives: { absent: false, rows: [{ op: 'broadcast', group: 2, bytes: 1, s: 1 }] } })).toBe("collectives.rows[0].op: unknown 'broadcast'");
    expect(clusterFromProfile({ ...p, gpu: { ...p.gpu, name: 'Radeon' } })).toBe("gpu.name: no preset for 'Radeon' to start the fit from (H100, H200, A100, V100)");
  });
});

describe('minimiseMax', () => {
  it('finds the value that balances the largest error', () => {
    const [x] = minimiseMax([1], ([v]) => [v / 2 - 1, v / 4 - 1]);
    expect(x).toBeCloseTo(8 / 3, 2);
  });
});
