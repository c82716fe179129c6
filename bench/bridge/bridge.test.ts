/**
 * Holds bench/bridge's numbers (README.md): the calibration's measured JAX steps predicted on the cluster fitted
 * to the calibration's own kernel and NCCL measurements, and the feasibility Meshplan gives the one-GPU runs.
 */
import { describe, expect, it } from 'vitest';
import { calibrationRowsOnProfile, GPU_RUNS, measuredRuns, predict, PROFILE_FILES, runFlags, runKey } from './rows.ts';

describe('bench/bridge', () => {
  it('predicts the 24 measured H100 JAX steps on the profiled cluster: every OOM and every fit, every ranking; mean under 8%', async () => {
    const s = await calibrationRowsOnProfile();
    console.log(`profiled cluster: mean ${(100 * s.meanAbsError).toFixed(1)}%, worst ${(100 * s.worstAbsError).toFixed(1)}% (${s.worstRow})`);
    expect(s.oomRowsPredictedInfeasible).toBe(5);
    expect(s.feasibleRowsPredictedFeasible).toBe(19);
    expect(s.groupsMatching).toBe(5);
    expect(s.meanAbsError).toBeLessThan(0.08);
    // PyTorch's softmax / layer-norm kernels price XLA's fusions slow: 3 rows over the 15% (README.md).
    expect(s.worstAbsError).toBeLessThan(0.19);
    expect(s.rows.filter((r) => r.error !== null && Math.abs(r.error) > 0.15).map((r) => r.row))
      .toEqual(['gpt-125m b16 single remat=off', 'gpt-125m b16 single remat=on', 'gpt-125m b16 dp2 remat=on']);
  }, 120_000);

  it("gives the issue's one-GPU runs: remat on fits for all three, remat off only for GPT-350M batch 8", async () => {
    const feasible: Record<string, boolean> = {};
    for (const r of GPU_RUNS) feasible[runKey(r)] = (await predict(runFlags(r, PROFILE_FILES.single))).p.feasible;
    expect(feasible).toEqual({
      'gpt-350M b8 remat=on': true, 'gpt-350M b8 remat=off': true, 'gpt-350M b16 remat=on': true,
      'gpt-350M b16 remat=off': false, 'gpt-1.3B b8 remat=on': true, 'gpt-1.3B b8 remat=off': false,
    });
  }, 120_000);

  it('reads measured runs from the scripts\' JSON lines (none committed yet)', () => {
    expect(measuredRuns().size).toBe(0);
  });
});
