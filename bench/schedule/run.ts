/**
 * Pipeline schedule simulator speed: 16 stages x 1,024 micro-batches of 1F1B (a GPT-39B-like pipeline, 63,504
 * events), after a warm-up; median and best of RUNS runs, milliseconds. Prints one JSON object.
 *
 *   npx tsx bench/schedule/run.ts
 */
import { simulateSchedule } from '../../workers/core/schedule/pipelineSchedule.ts';

const RUNS = 9;
const stages = Array.from({ length: 16 }, (_, i) => ({
  forwardSeconds: 0.01 + 0.0005 * (i % 3), backwardSeconds: 0.02, sendSeconds: 0.001, gradientSyncSeconds: 0.05,
}));
simulateSchedule({ schedule: '1f1b', microbatches: 64, stages }); // warm up the JIT
const runsMs: number[] = [];
let events = 0;
for (let k = 0; k < RUNS; k++) {
  const t0 = performance.now();
  events = simulateSchedule({ schedule: '1f1b', microbatches: 1024, stages }).events.length;
  runsMs.push(performance.now() - t0);
}
const sorted = [...runsMs].sort((a, b) => a - b);
process.stdout.write(JSON.stringify({
  case: '1f1b, 16 stages x 1024 micro-batches', events, target: 'median under 50 ms',
  medianMs: Number(sorted[Math.floor(RUNS / 2)].toFixed(2)), bestMs: Number(sorted[0].toFixed(2)),
  runsMs: runsMs.map((t) => Number(t.toFixed(2))),
}, null, 1) + '\n');
