/**
 * Intra-op ILP benchmark (issue 3): ILP size and solve time for one GPT-3 layer of each of the paper's seven sizes
 * on 1x8, 2x4 and 8x1 meshes of one p3.16xlarge node, and for the whole imported GPT-125M StableHLO forward graph
 * on 2x4. One warm HiGHS instance serves every solve (as the inter-op pass uses it), warmed up first; each case
 * runs `RUNS` times after one warm-up solve of its own and reports medians (wall time of runIntra, and HiGHS alone). Prints one JSON object.
 *
 *   npx tsx bench/intra/run.ts
 */
import { readFileSync } from 'node:fs';
import { CLUSTER_PRESETS } from '../../workers/core/cluster/presets.ts';
import { importModel } from '../../workers/core/import/index.ts';
import { groupLayers } from '../../workers/core/ir/layers.ts';
import type { ModelGraph } from '../../workers/core/ir/types.ts';
import { createHighsSolver, type IntraInput, runIntra } from '../../workers/core/intra/index.ts';
import { gpt } from '../../workers/core/zoo/index.ts';

const RUNS = 7;
/** Solves before any timing: V8 tiers the wasm up over the first few (tooling.md §1, cold start). */
const WARMUP_SOLVES = 12;
const MICROBATCH = 8;
const SIZES: readonly [string, number, number][] = [
  ['gpt-350M', 1024, 16], ['gpt-760M', 1536, 16], ['gpt-1.3B', 2048, 32], ['gpt-2.6B', 2560, 32],
  ['gpt-6.7B', 4096, 32], ['gpt-15B', 5120, 40], ['gpt-39B', 8192, 64],
];
const MESHES: readonly [number, number][] = [[1, 8], [2, 4], [8, 1]];
const FIXTURE = new URL('../../../shared/fixtures/stablehlo/gpt-125m.forward.mlir', import.meta.url);

const cluster = CLUSTER_PRESETS['p3.16xlarge'].cluster(1, 8);
const submesh = { nodeStart: 0, nodes: 1, gpuStart: 0, gpusPerNode: 8 };
const solver = createHighsSolver();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function measure(graph: ModelGraph, meshShape: [number, number], opIds?: readonly string[]) {
  const input: IntraInput = { graph, opIds, cluster, submesh, meshShape, mode: 'train', precision: 'fp16-mixed' };
  await runIntra(input, solver);
  const total: number[] = [];
  const solve: number[] = [];
  let plan = await runIntra(input, solver);
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    plan = await runIntra(input, solver);
    total.push((performance.now() - t0) / 1000);
    solve.push(plan.ilp.solveSeconds);
  }
  return {
    mesh: meshShape.join('x'), status: plan.status, ops: opIds?.length ?? graph.ops.length,
    variables: plan.ilp.variables, constraints: plan.ilp.constraints,
    solveSecondsMedian: median(solve), totalSecondsMedian: median(total),
    objectiveSeconds: plan.objectiveSeconds, gradientSyncSeconds: plan.gradientSyncSeconds,
    memoryBytesPerDevice: plan.memoryBytesPerDevice,
  };
}

async function main(): Promise<void> {
  const warm = gpt({ name: 'warm-up', hidden: 1024, heads: 16, layers: 1, vocab: 51200, seq: 1024, batch: MICROBATCH });
  const warmBlock = groupLayers(warm).find((g) => g.kind === 'block')?.opIds;
  for (let i = 0; i < WARMUP_SOLVES; i++) {
    await runIntra({ graph: warm, opIds: warmBlock, cluster, submesh, meshShape: [2, 4], mode: 'train', precision: 'fp16-mixed' }, solver);
  }
  const layers = [];
  for (const [name, hidden, heads] of SIZES) {
    const graph = gpt({ name, hidden, heads, layers: 1, vocab: 51200, seq: 1024, batch: MICROBATCH });
    const block = groupLayers(graph).find((g) => g.kind === 'block');
    if (!block) throw new Error(`${name}: no layer block found`);
    for (const mesh of MESHES) layers.push({ model: name, ...(await measure(graph, mesh, block.opIds)) });
  }
  const imported = await importModel('gpt-125m.forward.mlir', readFileSync(FIXTURE));
  if (!imported.ok) throw new Error(`importing the GPT-125M fixture failed: ${imported.error.message}`);
  const whole = { model: 'gpt-125m.forward.mlir (imported)', batch: imported.graph.batch, ...(await measure(imported.graph, [2, 4])) };
  const worstLayer = Math.max(...layers.map((l) => l.totalSecondsMedian));
  process.stdout.write(JSON.stringify({
    bench: 'intra', cluster: cluster.name, microbatch: MICROBATCH, seq: 1024, precision: 'fp16-mixed', runs: RUNS,
    layers, whole,
    goals: {
      oneLayerSeconds: 0.2, worstLayerTotalSecondsMedian: worstLayer, oneLayerMet: worstLayer <= 0.2,
      wholeGpt125mSeconds: 3, wholeTotalSecondsMedian: whole.totalSecondsMedian, wholeMet: whole.totalSecondsMedian <= 3,
    },
  }, null, 1) + '\n');
}

await main();
