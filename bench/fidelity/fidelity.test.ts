/**
 * Keeps the fidelity numbers from regressing. The step model (workers/core/cost/stepModel.ts) must hold every
 * row within 12% (the issue asks 15%); so must the planner path (`meshplan plan` with the plan forced and `--runtime
 * xla`, the rows' runtime, called in-process through the CLI's own argument loader), with every OOM row a step explains infeasible (rows.ts FRAGMENTATION_OOM_ROWS: the four that are not).
 * The planner is the one pricing path; the step model, one sum over the whole graph, is its oracle: row by row the
 * two agree on time, memory and feasibility (a term changed in one path and not the other breaks that).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../workers/cli/args.ts';
import { loadPlanArgs, PLAN_KEYS } from '../../workers/cli/plan.ts';
import { plan } from '../../workers/core/plan.ts';
import { E2E_ROWS, FRAGMENTATION_OOM_ROWS, planPrediction, rowGraphs, rowKey, rowLabel, rowPlanFlags, stepModelPrediction, summarise, type Prediction } from './rows.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const graphs = rowGraphs();

describe('fidelity: step model', () => {
  const s = summarise(E2E_ROWS.map((row) => ({ row, p: stepModelPrediction(row, graphs.get(rowKey(row))!) })));
  it('holds every row within 12%, mean under 4%, every group ranking, the OOM row a step explains', () => {
    console.log(`step model: mean ${(100 * s.meanAbsError).toFixed(1)}%, worst ${(100 * s.worstAbsError).toFixed(1)}% (${s.worstRow}), memory mean ${(100 * s.meanAbsMemoryError).toFixed(1)}%`);
    expect(s.worstAbsError).toBeLessThan(0.12);
    expect(s.meanAbsError).toBeLessThan(0.04);
    expect(s.meanAbsMemoryError).toBeLessThan(0.07);
    expect(s.groupsMatching).toBe(5);
    expect(s.oomRowsPredictedInfeasible).toBe(1);
    expect([...s.oomRowsPredictedFeasible].sort()).toEqual([...FRAGMENTATION_OOM_ROWS].sort());
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

  const predictions: { row: (typeof E2E_ROWS)[number]; p: Prediction }[] = [];
  beforeAll(async () => {
    for (const row of E2E_ROWS) {
      const args = parseArgs(['--model', files.get(rowKey(row))!, ...rowPlanFlags(row)], PLAN_KEYS, ['json', 'timeline']);
      const { model, cluster, options, deps } = await loadPlanArgs(args);
      const r = await plan(model, cluster, options, undefined, undefined, deps);
      if (!r.ok) throw new Error(`${rowKey(row)} ${row.plan}: ${r.reason}`);
      predictions.push({ row, p: planPrediction(r.plan) });
    }
  });

  it('holds every row within 12%, mean under 4%, every group ranking, the OOM row a step explains infeasible and the others feasible', () => {
    const s = summarise(predictions);
    console.log(`meshplan plan: mean ${(100 * s.meanAbsError).toFixed(1)}%, worst ${(100 * s.worstAbsError).toFixed(1)}% (${s.worstRow}), ${s.groupsMatching}/5 groups, ${s.oomRowsPredictedInfeasible}/5 OOM rows`);
    expect(s.meanAbsError).toBeLessThan(0.04);
    expect(s.worstAbsError).toBeLessThan(0.12);
    expect(s.meanAbsMemoryError).toBeLessThan(0.07);
    expect(s.oomRowsPredictedInfeasible).toBe(1);
    expect([...s.oomRowsPredictedFeasible].sort()).toEqual([...FRAGMENTATION_OOM_ROWS].sort());
    expect(s.feasibleRowsPredictedFeasible).toBe(19);
    expect(s.groupsMatching).toBe(5);
  });

  it('agrees with the step model, its oracle, on every row: time within 6%, memory within 12%, the same feasibility', () => {
    expect(predictions).toHaveLength(E2E_ROWS.length);
    const off: string[] = [];
    for (const { row, p } of predictions) {
      const o = stepModelPrediction(row, graphs.get(rowKey(row))!);
      const time = p.stepSeconds / o.stepSeconds - 1;
      const memory = p.memoryBytes / o.memoryBytes - 1;
      const required = p.requiredBytes! / o.requiredBytes! - 1;
      if (Math.abs(time) > 0.06 || Math.abs(memory) > 0.12 || Math.abs(required) > 0.12 || p.feasible !== o.feasible) {
        off.push(`${rowLabel(row)}: time ${(100 * time).toFixed(1)}%, memory ${(100 * memory).toFixed(1)}%, required ${(100 * required).toFixed(1)}%, feasible ${p.feasible}/${o.feasible}`);
      }
    }
    expect(off, `planner vs step model:\n${off.join('\n')}`).toEqual([]);
  });
});
