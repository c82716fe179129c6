import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inspectGraph } from '../core/ir/inspect.ts';
import { zooModel } from '../core/zoo/index.ts';
import { formatTable } from './inspect.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

function meshplan(...args: string[]) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['bin/meshplan.mjs', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (performance.now() - t0) / 1000 };
}

describe('meshplan inspect', () => {
  it('prints one JSON object for zoo:gpt-2.6B with its params, FLOPs, ops, layers and memory', () => {
    const r = meshplan('inspect', '--model', 'zoo:gpt-2.6B', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBe(1);
    const out = JSON.parse(lines[0]);
    expect(out.params).toBe(2_651_397_120);
    expect(Math.abs(out.params / 2.6486e9 - 1)).toBeLessThan(0.02);
    expect(out).toMatchObject({ name: 'gpt-2.6B', batch: 1024, seq: 1024, layers: 32, ops: 743, paramBytes: 2 * 2_651_397_120 });
    expect(out.flopsPerStep).toBe(3 * out.forwardFlops);
    expect(out.activationBytesPerSample).toBeGreaterThan(0);
    // start-up plus building and inspecting the graph: well under a second on an idle machine
    expect(r.seconds).toBeLessThan(5);
  });

  it('takes --batch and --seq', () => {
    const out = JSON.parse(meshplan('inspect', '--model', 'zoo:gpt-tiny', '--batch', '2', '--seq', '8', '--json').stdout);
    expect([out.batch, out.seq]).toEqual([2, 8]);
  });

  it('exits 2 with one stderr line for an unknown zoo name, listing valid names', () => {
    const r = meshplan('inspect', '--model', 'zoo:gpt-3B', '--json');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n').length).toBe(1);
    expect(r.stderr).toMatch(/^meshplan inspect: unknown zoo model 'gpt-3B' \(try: zoo:gpt-350M, .*zoo:gpt-39B/);
  });

  it('exits 2 naming a missing file or a bad option, never a stack trace', () => {
    const missing = meshplan('inspect', '--model', 'no/such/model.onnx', '--json');
    expect([missing.status, missing.stderr]).toEqual([2, 'meshplan inspect: model file not found: no/such/model.onnx\n']);
    const bad = meshplan('inspect', '--model', 'zoo:gpt-tiny', '--batch', 'x');
    expect([bad.status, bad.stderr]).toEqual([2, "meshplan inspect: --batch must be a whole number in 1..16,777,216 (a global batch above 16,777,216 samples is beyond any published training run), got 'x'\n"]);
    const none = meshplan('inspect', '--json');
    expect([none.status, none.stderr]).toEqual([2, 'meshplan inspect: missing --model\n']);
  });

  it('prints a short human table without --json', () => {
    const table = formatTable(inspectGraph(zooModel('gpt-350M')));
    expect(table.split('\n')[0]).toBe('model                 gpt-350M (zoo:gpt-350M)');
    expect(table).toContain('params                0.356 billion (355840000)');
    expect(table).toContain('layers                24');
  });
});
