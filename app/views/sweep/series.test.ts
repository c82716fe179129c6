import { describe, expect, it } from 'vitest';
import type { SeriesResult } from '../../../workers/core/whatif/point.ts';
import type { SweepRun } from '../../store/sweepSlice.ts';
import { chartSeries, sweepCsv } from './series.ts';

const result = (kind: SeriesResult['kind'], step: number, feasible = true): SeriesResult => ({
  kind, label: kind, ok: true, feasible, ...(feasible ? {} : { infeasibleReason: 'stage 0 needs 18 GiB of 16 GiB' }),
  stepSeconds: step, samplesPerSecond: 1024 / step, samplesPerSecondPerGpu: 1024 / step / 8, tflopsPerGpu: 50, modelTflopsPerGpu: 40, gpus: 8,
  structure: { stages: 2, meshes: ['1x4/2x2', '1x4/4x1'], microbatches: 16, remat: [true, false], layers: [[0, 4], [4, 8]] },
});

const run: SweepRun = {
  variable: 'nodes', values: [1, 2, 4], model: 'gpt-tiny', cluster: 'p3.16xlarge:1x8', changes: [], state: 'running',
  points: [
    { kind: 'done', output: { ok: true, value: 1, point: { cluster: 'c', gpus: 8, series: [result('searched', 2), result('megatron', 3), result('intra-only', 4, false), { kind: 'inter-only', label: 'inter', ok: false, reason: 'no stage split fits' }] } } },
    { kind: 'done', output: { ok: false, value: 2, reason: 'planning failed: boom' } },
    { kind: 'queued' },
  ],
};

describe('sweep series', () => {
  it('give each of the four series a cell per value: a value, infeasible with the reason, or nothing yet', () => {
    const s = chartSeries(run, 'step');
    expect(s.map((x) => x.kind)).toEqual(['searched', 'megatron', 'intra-only', 'inter-only']);
    expect(s[0].cells).toEqual([{ kind: 'value', y: 2 }, { kind: 'infeasible', reason: 'planning failed: boom' }, undefined]);
    expect(s[2].cells[0]).toEqual({ kind: 'infeasible', reason: 'stage 0 needs 18 GiB of 16 GiB' });
    expect(s[3].cells[0]).toEqual({ kind: 'infeasible', reason: 'no stage split fits' });
    // Throughput per GPU: 1024 samples / 2 s / 8 GPUs.
    expect(chartSeries(run, 'throughput')[0].cells[0]).toEqual({ kind: 'value', y: 64 });
  });
  it('export as CSV: one row per planned point and series, reasons quoted when they hold commas', () => {
    const lines = sweepCsv({ ...run, points: [run.points[0], { kind: 'done', output: { ok: false, value: 2, reason: 'nodes=2: bad, really' } }, run.points[2]] }).trim().split('\n');
    expect(lines[0]).toBe('variable,value,series,feasible,step_seconds,samples_per_second,samples_per_second_per_gpu,tokens_per_second,tflops_per_gpu,model_tflops_per_gpu,gpus,stages,meshes,microbatches,remat_stages,reason');
    expect(lines[1]).toBe('nodes,1,searched,true,2,512,64,,50,40,8,2,1x4/2x2 1x4/4x1,16,1,');
    expect(lines[3]).toBe('nodes,1,intra-only,false,4,256,32,,50,40,8,2,1x4/2x2 1x4/4x1,16,1,stage 0 needs 18 GiB of 16 GiB');
    expect(lines[4]).toBe('nodes,1,inter-only,false,,,,,,,,,,,,no stage split fits');
    expect(lines[5]).toBe('nodes,2,searched,false,,,,,,,,,,,,"nodes=2: bad, really"');
    expect(lines).toHaveLength(1 + 4 + 4);
  });
});
