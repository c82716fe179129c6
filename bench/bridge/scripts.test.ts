/**
 * The exported JAX scripts' Python run end to end where JAX is not installed: bench/bridge/fakejax stands in for JAX
 * with NumPy (the forward computes for real, jit and sharding pass through, gradients are zeros). It checks what
 * the GPU runs cannot afford to find broken: the scripts' control flow, the model's shapes, the multi-stage loop in
 * schedule order with its transfers, micro-batch accumulation, the JSON line. It does not check JAX's semantics
 * (sharding, VJPs returned from jit): that is the device runs' job (README.md).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../../workers/core/cluster/spec.ts';
import { jaxScript } from '../../workers/core/export/jaxScript.ts';
import { defaultPlanOptions, plan } from '../../workers/core/plan.ts';
import type { PlanOptions } from '../../workers/core/plan/types.ts';
import { zooModel } from '../../workers/core/zoo/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'meshplan-scripts-'));
const fakeJax = new URL('fakejax', import.meta.url).pathname;

async function runScript(model: string, cluster: string, over: Partial<PlanOptions>, env: Record<string, string> = {}, args: string[] = []): Promise<Record<string, unknown>> {
  const g = zooModel(model, { batch: 8 });
  const r = await plan(g, parseClusterSpec(cluster), { ...defaultPlanOptions(g), precision: 'bf16-adam32', runtime: 'xla', ...over },
    undefined, undefined, { intra: 'manual' });
  if (!r.ok) throw new Error(r.reason);
  const s = jaxScript(r.plan, g, 'bf16-adam32');
  if (!s.ok) throw new Error(s.reason);
  const file = join(dir, `${model}-${cluster.replace(':', '_')}-${over.baseline}.py`);
  writeFileSync(file, s.script);
  const out = execFileSync('python3', [file, '--steps', '1', '--warmup', '0', ...args], { env: { ...process.env, PYTHONPATH: fakeJax, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('exported scripts run (NumPy stand-in for JAX)', () => {
  const uniform = Math.log(512); // random weights: the loss of uniform predictions over the 512-token vocab

  it('2-GPU data parallel with 2 micro-batches accumulated', async () => {
    const r = await runScript('gpt-tiny', 'dgx-h100:1x2', { baseline: 'dp', microbatches: 2 });
    expect(r).toMatchObject({ plan: 'data parallel', stages: 1, microbatches: 2, oom: false });
    expect(r.error).toBeUndefined();
    expect(Math.abs((r.loss as number) - uniform)).toBeLessThan(0.1);
  }, 60_000);

  it('4-GPU ZeRO-3', async () => {
    const r = await runScript('gpt-tiny', 'dgx-h100:1x4', { baseline: 'zero3' });
    expect(r).toMatchObject({ plan: 'ZeRO-3', oom: false });
    expect(Math.abs((r.loss as number) - uniform)).toBeLessThan(0.1);
  }, 60_000);

  it('8-GPU dp2 x tp2 x pp2: two stages in 1F1B order over 2 micro-batches, VJP residuals kept between programs', async () => {
    const r = await runScript('gpt-tiny', 'dgx-h100:1x8', { baseline: 'megatron', dp: 2, tp: 2, pp: 2, microbatches: 2 });
    expect(r).toMatchObject({ stages: 2, microbatches: 2, oom: false, backward: 'VJP residuals kept between programs' });
    expect(Math.abs((r.loss as number) - uniform)).toBeLessThan(0.1);
    expect((r.memoryAnalysis as unknown[]).length).toBe(4); // forward and backward program of each stage
  }, 60_000);

  it('a JAX whose jit cannot return the VJP: the multi-stage loop recomputes each stage forward in its backward and says so', async () => {
    const r = await runScript('gpt-tiny', 'dgx-h100:1x4', { baseline: 'megatron', dp: 1, tp: 2, pp: 2, microbatches: 2 }, { FAKEJAX_NO_FUNCTION_OUTPUTS: '1' });
    expect(r).toMatchObject({ stages: 2, oom: false, backward: 'backward recomputes the stage forward' });
    expect(Math.abs((r.loss as number) - uniform)).toBeLessThan(0.1);
  }, 60_000);

  it('--async times steps dispatched back to back; --trace without a profiler keeps the step and says why', async () => {
    const r = await runScript('gpt-tiny', 'dgx-h100:1x1', { baseline: 'dp' }, {}, ['--steps', '2', '--async', '--trace', join(dir, 'trace')]);
    expect(r).toMatchObject({ async: true, oom: false });
    expect(r.stepSeconds).toBeGreaterThan(0);
    expect((r.kernels as { error: string }).error).toMatch(/profiler/);
    expect(r.memoryBeforeSteps).toBeDefined();
  }, 60_000);

  it('Llama with grouped-query attention, tp2 x pp2 on 4 GPUs, remat on', async () => {
    const r = await runScript('llama-tiny', 'dgx-h100:1x4', { baseline: 'megatron', dp: 1, tp: 2, pp: 2, microbatches: 2, remat: 'on' });
    expect(r).toMatchObject({ model: 'llama-tiny', stages: 2, remat: [true, true], oom: false });
    expect(Math.abs((r.loss as number) - uniform)).toBeLessThan(0.1);
  }, 60_000);
});
