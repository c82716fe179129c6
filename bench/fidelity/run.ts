/**
 * `npx tsx bench/fidelity/run.ts`: every row of the H100 e2e file through `meshplan plan` (spawned, plan forced)
 * and through the cost model's step model; prints one JSON object: per row predicted vs measured time and memory,
 * errors, OOM agreement, within-group ranking, mean and worst error, and the pure matmul roofline for contrast.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  E2E_ROWS, matmulRooflineSeconds, planPrediction, rowGraphs, rowKey, rowPlanFlags, stepModelPrediction, summarise, type Prediction,
} from './rows.ts';

const dir = mkdtempSync(join(tmpdir(), 'meshplan-fidelity-'));
const graphs = rowGraphs();
const files = new Map<string, string>();
for (const [key, g] of graphs) {
  const f = join(dir, `${key}.json`);
  writeFileSync(f, JSON.stringify(g));
  files.set(key, f);
}

function viaCli(args: string[]): Prediction {
  const out = execFileSync('node', ['bin/meshplan.mjs', 'plan', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return planPrediction(JSON.parse(out));
}

const cli = E2E_ROWS.map((row) => ({ row, p: viaCli(['--model', files.get(rowKey(row))!, ...rowPlanFlags(row)]) }));
const model = E2E_ROWS.map((row) => ({ row, p: stepModelPrediction(row, graphs.get(rowKey(row))!) }));
const roofline = E2E_ROWS.filter((r) => r.stepSeconds !== null).map((row) => {
  const s = matmulRooflineSeconds(row, graphs.get(rowKey(row))!);
  return { row: `${row.model} b${row.batch} ${row.plan} remat=${row.remat ? 'on' : 'off'}`, seconds: s, error: s / row.stepSeconds! - 1 };
});

const gemmOnly = model.filter((x) => x.row.stepSeconds !== null).map(({ row, p }) => ({
  row: `${row.model} b${row.batch} ${row.plan} remat=${row.remat ? 'on' : 'off'}`,
  seconds: p.matmulSeconds!, error: p.matmulSeconds! / row.stepSeconds! - 1,
}));

process.stdout.write(JSON.stringify({
  source: 'workers/core/cost/calibration/h100-e2e-steps.json',
  planCli: summarise(cli),
  stepModel: summarise(model),
  matmulRoofline: {
    note: 'training GEMM FLOPs per device at the bf16 dense peak, nothing else',
    meanAbsError: roofline.reduce((s, r) => s + Math.abs(r.error), 0) / roofline.length,
    rows: roofline,
  },
  gemmModelOnly: {
    note: 'the shape-aware GEMM model alone (no memory-bound work, optimizer or collectives)',
    meanAbsError: gemmOnly.reduce((s, r) => s + Math.abs(r.error), 0) / gemmOnly.length,
    rows: gemmOnly,
  },
}, null, 1) + '\n');
