/**
 * `npx tsx bench/bridge/run.ts`: one JSON object with the profile fit (worst error per class, what was left out),
 * the calibration's measured JAX steps predicted on the profiled cluster (against the preset), and every run of
 * the one-GPU list (plan, predicted on the profiled cluster, measured where h100x1-runs.jsonl has it,
 * error). A run without a measurement says why.
 */
import { E2E_ROWS, planPrediction, rowGraphs, rowKey, rowPlanFlags, summarise } from '../fidelity/rows.ts';
import {
  ASYNC_RUNS_FILE, calibrationRowsOnProfile, FIXED_RUNS, FIXED_RUNS_FILES, FOLD_RUN_FILE, GPU_RUNS, lineRun, measuredLines, measuredRuns, MEASURED_RUNS_FILE,
  MEMORY_RUNS_FILE, OOM_SIDE_RUNS, predict, PROFILE_FILES, profiled, runFlags, runKey, stepPieces, xlaStepBytes,
} from './rows.ts';
import { parseArgs } from '../../workers/cli/args.ts';
import { loadPlanArgs, PLAN_KEYS } from '../../workers/cli/plan.ts';
import { plan } from '../../workers/core/plan.ts';

const GiB = 2 ** 30;
const worstOf = (xs: readonly { error: number; label: string }[]) => xs.reduce((w, x) => (Math.abs(x.error) > Math.abs(w.error) ? x : w), xs[0]);

const fit = profiled(PROFILE_FILES.single);
const classes = new Map<string, { error: number; label: string }[]>();
for (const p of fit.points.filter((x) => !x.leftOut)) {
  const k = p.kind === 'matmul' ? `matmul ${p.label.split(' ')[0]}` : p.kind;
  classes.set(k, [...(classes.get(k) ?? []), p]);
}
const profileFit = {
  file: 'bench/bridge/h100x1-profile.json (tools/profile-cluster/profile.py on the lent NVIDIA H100 80GB HBM3, 2026-12-06)',
  notes: fit.notes,
  classes: Object.fromEntries([...classes].map(([k, xs]) => {
    const w = worstOf(xs);
    return [k, { points: xs.length, worstError: w.error, worst: w.label, meanAbsError: xs.reduce((a, x) => a + Math.abs(x.error), 0) / xs.length }];
  })),
  leftOut: fit.points.filter((x) => x.leftOut).length,
};

const onProfile = await calibrationRowsOnProfile();
const graphs = rowGraphs();
const onPreset = [];
for (const row of E2E_ROWS) {
  const loaded = await loadPlanArgs(parseArgs(['--model', 'zoo:gpt-tiny', ...rowPlanFlags(row)], PLAN_KEYS, ['json']));
  const r = await plan(graphs.get(rowKey(row))!, loaded.cluster, loaded.options, undefined, undefined, loaded.deps);
  if (!r.ok) throw new Error(r.reason);
  onPreset.push({ row, p: planPrediction(r.plan) });
}
const preset = summarise(onPreset);

const measured = measuredRuns();
const runs = [];
for (const r of [...GPU_RUNS, ...OOM_SIDE_RUNS]) {
  const { p, label, microbatches } = await predict(runFlags(r, PROFILE_FILES.single));
  const m = measured.get(runKey(r));
  const held = m && (m.stepSeconds ? m.memory?.peakBytesInUse : xlaStepBytes(m));
  runs.push({
    run: runKey(r), plan: `${label}, 1 x H100, ${microbatches} micro-batch, remat ${r.remat ? 'on' : 'off'}, bf16 params + fp32 Adam, --runtime xla`,
    export: `meshplan export --format jax ${runFlags(r, 'bench/bridge/h100x1-profile.json').join(' ')}`,
    predicted: { stepSeconds: p.stepSeconds, memoryGiB: p.memoryBytes / GiB, requiredGiB: (p.requiredBytes ?? p.memoryBytes) / GiB, feasible: p.feasible },
    measured: m ? {
      stepSeconds: m.stepSeconds ?? null, peakGiB: m.stepSeconds && m.memory ? m.memory.peakBytesInUse / GiB : null,
      xlaStepGiB: xlaStepBytes(m) !== undefined ? xlaStepBytes(m)! / GiB : null, bytesLimitGiB: m.memory ? m.memory.bytesLimit / GiB : null,
      oom: m.oom, error: m.error ?? null, device: m.device ?? null, kernelMs: m.kernels?.byClassMs ?? null,
    } : null,
    error: m ? {
      step: m.stepSeconds ? p.stepSeconds / m.stepSeconds - 1 : null,
      // against peak_bytes_in_use where it ran, else XLA's argument + temp (what the step would have held)
      memory: held ? p.memoryBytes / held - 1 : null,
      oomAgrees: m.oom === !p.feasible,
    } : null,
    ...(m ? {} : { why: `not measured: ${MEASURED_RUNS_FILE.split('/').slice(-2).join('/')} has no line for it` }),
  });
}

/** After the attention fix: every row, derived or check, with its two pieces where a trace was taken. */
const fixed = measuredRuns(FIXED_RUNS_FILES.c, FIXED_RUNS_FILES.l);
const afterFix = [];
for (const r of FIXED_RUNS) {
  const { p } = await predict(runFlags(r, PROFILE_FILES.single));
  const m = fixed.get(runKey(r))!;
  const held = m.stepSeconds ? m.memory!.peakBytesInUse : xlaStepBytes(m)!;
  const pieces = stepPieces(r, m, p.stepSeconds, fit.gpu);
  afterFix.push({
    run: runKey(r), sample: r.sample, export: `meshplan export --format jax ${runFlags(r, 'bench/bridge/h100x1-profile.json').join(' ')}`,
    predicted: { stepSeconds: p.stepSeconds, memoryGiB: p.memoryBytes / GiB, feasible: p.feasible },
    measured: { stepSeconds: m.stepSeconds ?? null, heldGiB: held / GiB, oom: m.oom, kernelMs: m.kernels?.byClassMs ?? null },
    error: { step: m.stepSeconds ? p.stepSeconds / m.stepSeconds - 1 : null, memory: p.memoryBytes / held - 1, oomAgrees: m.oom === !p.feasible },
    ...(pieces ? { pieces: { ...pieces, gemmError: pieces.gemm.predicted / pieces.gemm.measured - 1, restError: pieces.rest.predicted / pieces.rest.measured - 1 } } : {}),
  });
}
const ran = afterFix.filter((x) => x.error.step !== null);
const within = (xs: readonly (number | null)[]) => `${xs.filter((e) => e !== null && Math.abs(e) <= 0.15).length}/${xs.length}`;
const backToBack = measuredLines(ASYNC_RUNS_FILE).map((m) => {
  const sync = fixed.get(runKey(lineRun(m)))!;
  return { run: runKey(lineRun(m)), stepSeconds: m.stepSeconds, synchronousStepSeconds: sync.stepSeconds, peakGiB: m.memory!.peakBytesInUse / GiB, synchronousPeakGiB: sync.memory!.peakBytesInUse / GiB };
});
const fold = measuredLines(FOLD_RUN_FILE).map((m) => ({ plan: m.plan, stages: m.remat.length, microbatches: m.microbatches, stepSeconds: m.stepSeconds, error: m.error ?? null }));

/** The memory mechanism runs: what XLA was given (bytes_limit) and held, per allocator setting. */
const memoryRuns = measuredLines(MEMORY_RUNS_FILE).map((m) => ({
  run: runKey({ model: m.model, batch: m.globalBatch, remat: m.remat[0] }), env: m.env ?? {}, backToBack: m.async ?? false,
  bytesLimitGiB: m.memory ? m.memory.bytesLimit / GiB : null, xlaStepGiB: xlaStepBytes(m) !== undefined ? xlaStepBytes(m)! / GiB : null,
  peakGiB: m.stepSeconds && m.memory ? m.memory.peakBytesInUse / GiB : null, oom: m.oom, error: m.error ? m.error.slice(0, 120) : null,
}));

const brief = (s: typeof preset) => ({ meanAbsError: s.meanAbsError, worstAbsError: s.worstAbsError, worstRow: s.worstRow, meanAbsMemoryError: s.meanAbsMemoryError,
  oomRowsPredictedInfeasible: `${s.oomRowsPredictedInfeasible}/${s.oomRows}`, feasibleRowsPredictedFeasible: s.feasibleRowsPredictedFeasible, groupsMatching: s.groupsMatching });

process.stdout.write(JSON.stringify({
  profileFit,
  calibrationStepsOnProfile: {
    source: 'workers/core/cost/calibration/h100-e2e-steps.json (JAX 0.11.2 on H100 80GB SXM), planned with --cluster bench/bridge/h100x1-profile.json (1 GPU) or h100-calibration-profile.json (2 GPUs)',
    profiled: brief(onProfile), preset: brief(preset),
    rows: onProfile.rows.map((x, i) => ({ row: x.row, measuredSeconds: x.measuredSeconds, profiledSeconds: x.predictedSeconds, profiledError: x.error, presetSeconds: preset.rows[i].predictedSeconds, presetError: preset.rows[i].error })),
  },
  gpuRuns: {
    measuredFile: 'bench/bridge/h100x1-runs.jsonl', device: 'NVIDIA H100 80GB HBM3 (nvidia-h100-x1), JAX 0.11.2, 2026-12-06',
    measured: runs.filter((r) => r.measured).length, of: runs.length, runs,
  },
  memoryMechanism: { file: 'bench/bridge/h100x1-memory.jsonl', runs: memoryRuns },
  afterAttentionFix: {
    measuredFiles: ['bench/bridge/h100x1-c-runs.jsonl', 'bench/bridge/h100x1-l-runs.jsonl (the two Llama rows after the grouped-query fix)'],
    device: 'NVIDIA H100 80GB HBM3 (nvidia-h100-x1), JAX 0.11.2, 2026-12-06, device-run.sh C and L; predictions on bench/bridge/h100x1-profile.json',
    stepWithin15: { derived: within(ran.filter((x) => x.sample === 'derived').map((x) => x.error.step)), check: within(ran.filter((x) => x.sample === 'check').map((x) => x.error.step)) },
    memoryWithin15: { derived: within(afterFix.filter((x) => x.sample === 'derived').map((x) => x.error.memory)), check: within(afterFix.filter((x) => x.sample === 'check').map((x) => x.error.memory)) },
    oomAgree: `${afterFix.filter((x) => x.error.oomAgrees).length}/${afterFix.length}`,
    runs: afterFix, backToBack, fold,
  },
}, null, 1) + '\n');
