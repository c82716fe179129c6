import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'meshplan-export-'));

function meshplan(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/meshplan.mjs', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const PLAN = ['--model', 'zoo:gpt-tiny', '--cluster', 'dgx-h100:1x4', '--baseline', 'megatron', '--dp', '1', '--tp', '2', '--pp', '2',
  '--microbatches', '2', '--precision', 'bf16-adam32', '--intra', 'manual'];

/** The Trace Event Format (chrome://tracing, Perfetto): a traceEvents array whose events each have a name, a phase,
 * integer pid/tid; complete events ('X') a non-negative ts and dur in microseconds; metadata events ('M') a name
 * among the format's and args. */
function checkTraceEventFormat(t: { traceEvents: Record<string, unknown>[]; displayTimeUnit?: string }): void {
  expect(Array.isArray(t.traceEvents)).toBe(true);
  expect(['ms', 'ns', undefined]).toContain(t.displayTimeUnit);
  for (const e of t.traceEvents) {
    expect(typeof e.name).toBe('string');
    expect(['X', 'M']).toContain(e.ph);
    expect(Number.isInteger(e.pid) && Number.isInteger(e.tid)).toBe(true);
    if (e.ph === 'X') {
      expect(typeof e.ts === 'number' && e.ts >= 0).toBe(true);
      expect(typeof e.dur === 'number' && e.dur >= 0).toBe(true);
    } else {
      expect(['process_name', 'thread_name', 'process_sort_index', 'thread_sort_index']).toContain(e.name);
      expect(typeof e.args).toBe('object');
    }
  }
}

describe('meshplan export', () => {
  it('json round-trips: exporting the saved plan again gives the same bytes, and its trace follows the trace event format', () => {
    const file = join(dir, 'plan.json');
    expect(meshplan('export', '--format', 'json', ...PLAN, '-o', file)).toMatchObject({ status: 0, stderr: '' });
    const again = meshplan('export', '--format', 'json', '--plan', file);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(readFileSync(file, 'utf8'));
    const saved = JSON.parse(again.stdout);
    expect(saved).toMatchObject({ format: 'meshplan.plan', version: 1, plan: { label: 'Megatron dp=1 tp=2 pp=2', microbatches: 2 } });
    const trace = meshplan('export', '--format', 'trace', '--plan', file);
    expect(trace.status).toBe(0);
    const t = JSON.parse(trace.stdout);
    checkTraceEventFormat(t);
    expect(t.traceEvents.filter((e: { ph: string }) => e.ph === 'X')).toHaveLength(saved.plan.timeline.length);
  }, 60_000);

  it('jax from a saved plan is the script exported directly', () => {
    const file = join(dir, 'plan-jax.json');
    meshplan('export', '--format', 'json', ...PLAN, '-o', file);
    const direct = meshplan('export', '--format', 'jax', ...PLAN);
    const saved = meshplan('export', '--format', 'jax', '--plan', file, '--precision', 'bf16-adam32');
    expect(direct.status).toBe(0);
    expect(direct.stdout).toContain('PLAN = json.loads(');
    expect(saved.stdout).toBe(direct.stdout);
  }, 60_000);

  it('megatron: the arguments of a Megatron-shaped plan; for ZeRO-3 why not and the nearest Megatron plan with its step', () => {
    const ok = meshplan('export', '--format', 'megatron', ...PLAN);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('--tensor-model-parallel-size 2 --pipeline-model-parallel-size 2 --micro-batch-size 4 --global-batch-size 8');
    expect(ok.stdout).toContain('# Megatron-LM: 4 processes (data parallel 1 = 4 / (tensor 2 x pipeline 2))');
    const zero = meshplan('export', '--format', 'megatron', '--model', 'zoo:gpt-tiny', '--cluster', 'dgx-h100:1x4', '--baseline', 'zero3', '--intra', 'manual');
    expect(zero.status).toBe(0);
    const lines = zero.stdout.trim().split('\n');
    expect(lines[0]).toBe("# Megatron-LM cannot express this plan: ZeRO-3 splits the parameters themselves; Megatron-LM's distributed optimizer splits only the optimizer state");
    expect(lines[1]).toMatch(/^# nearest Megatron-LM plan: Megatron dp=\d tp=\d pp=\d, predicted \d+\.\d{4} s per step \(this plan \d+\.\d{4} s: [+-]\d+\.\d%\)/);
    expect(lines[lines.length - 1]).toMatch(/^--tensor-model-parallel-size \d/);
  }, 60_000);

  it('says what is wrong in one line', () => {
    expect(meshplan('export', ...PLAN)).toMatchObject({ status: 2, stderr: 'meshplan export: missing --format (jax|megatron|trace|json)\n' });
    expect(meshplan('export', '--format', 'onnx', ...PLAN).stderr).toBe("meshplan export: --format must be one of jax|megatron|trace|json, got 'onnx'\n");
    expect(meshplan('export', '--format', 'json', '--plan', join(dir, 'nope.json')).stderr).toBe(`meshplan export: plan file not found: ${join(dir, 'nope.json')}\n`);
    expect(meshplan('export', '--format', 'jax', '--model', 'zoo:wresnet-250M', '--cluster', 'dgx-h100:1x1', '--batch', '8', '--intra', 'manual').stderr)
      .toBe('meshplan export: cannot export to JAX: the JAX export rebuilds zoo GPT and Llama models in plain JAX; wresnet-250M is a wresnet model\n');
  }, 60_000);
});
