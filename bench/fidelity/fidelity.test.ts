/**
 * Keeps the fidelity numbers from regressing. The step model (workers/core/cost/stepModel.ts) must hold every
 * row within 12% (the issue asks 15%); so must the planner path (`meshplan plan` with the plan forced and `--runtime xla`, the rows'
 * runtime, called in-process through the CLI's own argument loader), with every OOM row infeasible.
 */
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../workers/cli/args.ts';
import { loadPlanArgs, PLAN_KEYS } from '../../workers/cli/plan.ts';
import { plan } from '../../workers/core/plan.ts';
import { E2E_ROWS, planPrediction, rowGraphs, rowKey, rowPlanFlags, stepModelPrediction, summarise, type Prediction } from './rows.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const graphs = rowGraphs();

describe('fidelity: step model', () => {
  const s = summarise(E2E_ROWS.map((row) => ({ row, p: stepModelPrediction(row, graphs.get(rowKey(row))!) })));
  it('holds every row within 12%, mean under 4%, every group ranking, every OOM row', () => {
    console.log(`step model: mean ${(100 * s.meanAbsError).toFixed(1)}%, worst ${(100 * s.worstAbsError).toFixed(1)}% (${s.worstRow}), memory mean ${(100 * s.meanAbsMemoryError).toFixed(1)}%`);
    expect(s.worstAbsError).toBeLessThan(0.12);
    expect(s.meanAbsError).toBeLessThan(0.04);
    expect(s.meanAbsMemoryError).toBeLessThan(0.07);
    expect(s.groupsMatching).toBe(5);
    expect(s.oomRowsPredictedInfeasible).toBe(5);
    expect(s.feasibleRowsPredictedFeasible).toBe(19);
  });
});

describe('fidelity: meshplan plan with the plan forced', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshplan-fidelity-test-'));
  const files = new Map([...graphs].map(([k, g]) => {
    const f = join(dir, `${k}.json`);
    writeFileSync(f, JSON.stringify(g));
    return [k, f] as const;
  }));

  it('holds every row within 12%, mean under 4%, every group ranking, every OOM row infeasible and the others feasible', async () => {
    const predictions: { row: (typeof E2E_ROWS)[number]; p: Prediction }[] = [];
    for (const row of E2E_ROWS) {
      const args = parseArgs(['--model', files.get(rowKey(row))!, ...rowPlanFlags(row)], PLAN_KEYS, ['json', 'timeline']);
      const { model, cluster, options, deps } = await loadPlanArgs(args);
      const r = await plan(model, cluster, options, undefined, undefined, deps);
      if (!r.ok) throw new Error(`${rowKey(row)} ${row.plan}: ${r.reason}`);
      predictions.push({ row, p: planPrediction(r.plan) });
    }
    const s = summarise(predictions);
    console.log(`meshplan plan: mean ${(100 * s.meanAbsError).toFixed(1)}%, worst ${(100 * s.worstAbsError).toFixed(1)}% (${s.worstRow}), ${s.groupsMatching}/5 groups, ${s.oomRowsPredictedInfeasible}/5 OOM rows`);
    expect(s.meanAbsError).toBeLessThan(0.04);
    expect(s.worstAbsError).toBeLessThan(0.12);
    expect(s.meanAbsMemoryError).toBeLessThan(0.07);
    expect(s.oomRowsPredictedInfeasible).toBe(5);
    expect(s.feasibleRowsPredictedFeasible).toBe(19);
    expect(s.groupsMatching).toBe(5);
  });
});
