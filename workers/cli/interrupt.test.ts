/**
 * Ctrl-C during `meshplan plan|sweep|compare`: the search is cancelled through the planner's cancel signal and the
 * command exits 130 with one line; progress lines of compare, sweep and learn (forced on a pipe by
 * MESHPLAN_PROGRESS=1, which is also how these tests know the search is running before they interrupt it).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; afterInterruptMs?: number }

/** Runs meshplan with progress forced onto the pipe; with `interrupt`, sends SIGINT once a progress line matching it shows. */
function meshplan(args: readonly string[], interrupt?: RegExp): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/meshplan.mjs', ...args], { cwd: repoRoot, env: { ...process.env, MESHPLAN_PROGRESS: '1' } });
    let stdout = '';
    let stderr = '';
    let sentAt: number | undefined;
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => {
      stderr += d;
      if (interrupt && sentAt === undefined && interrupt.test(stderr)) { sentAt = Date.now(); child.kill('SIGINT'); }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ...(sentAt !== undefined ? { afterInterruptMs: Date.now() - sentAt } : {}) }));
  });
}

const lastLine = (s: string): string => s.trimEnd().split('\n').at(-1)!;

describe('meshplan and Ctrl-C', () => {
  for (const [command, args, running] of [
    ['plan', ['--model', 'zoo:gpt-15B', '--cluster', 'p3.16xlarge:4x8', '--json'], /^stage costs \d+\/\d+$/m],
    ['sweep', ['--model', 'zoo:gpt-15B', '--cluster', 'p3.16xlarge:4x8', '--vary', 'inter-gbps=10,25', '--json'], /^inter-gbps=10 \(1\/2\): Meshplan: stage costs \d+\/\d+$/m],
    ['sweep', ['--model', 'zoo:gpt-15B', '--cluster', 'p3.16xlarge:4x8', '--vary', 'inter-gbps=10,25', '--workers', '2', '--json'], /^points 0\/2$/m],
    ['compare', ['--model', 'zoo:gpt-15B', '--cluster', 'p3.16xlarge:4x8', '--cluster', 'p3.16xlarge:2x8', '--json'], /^p3\.16xlarge:4x8 \(1\/2\): Meshplan: stage costs \d+\/\d+$/m],
  ] as const) {
    it(`${command} ${(args as readonly string[]).includes('--workers') ? 'on worker threads' : 'in process'}: cancels the search and exits 130 with one line`, async () => {
      const r = await meshplan([command, ...args], running);
      expect(r.afterInterruptMs, r.stderr).toBeDefined();
      expect(r.signal).toBeNull();
      expect(r.code).toBe(130);
      expect(r.stdout).toBe('');
      expect(lastLine(r.stderr)).toBe(`meshplan ${command}: interrupted (Ctrl-C); search cancelled`);
      // Everything before it is progress (the forced lines), nothing else.
      const before = r.stderr.trimEnd().split('\n').slice(0, -1);
      expect(before.length).toBeGreaterThan(0);
      for (const line of before) expect(line).toMatch(/^(.+: )?[a-zA-Z -]+ \d+\/\d+$|^(.+: )?[a-zA-Z -]+$/);
      // Well before the search would have ended (tens of seconds here); loose for a loaded machine.
      expect(r.afterInterruptMs!).toBeLessThan(15_000);
    }, 120_000);
  }

  it('learn shows each plan of the three by name in its progress', async () => {
    const r = await meshplan(['learn', '--model', 'zoo:gpt-350M', '--cluster', 'p3.16xlarge:1x4', '--batch', '64', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).rows).toHaveLength(3);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.some((l) => /^intra-op only: /.test(l))).toBe(true);
    expect(lines.some((l) => /^inter-op only: /.test(l))).toBe(true);
  }, 120_000);
});
