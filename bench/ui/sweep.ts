/**
 * The Sweep region under load (run through `npx tsx bench/ui/run.ts --sweep [--runs N]`): a 16-point sweep of
 * GPT-6.7B on p3.16xlarge x2 over inter-node bandwidth, from the Run sweep click until the last point is drawn (wall
 * time, the longest main-thread task in that window, and how many marks were drawn), medians of N runs (default 3,
 * each over 16 values no earlier run planned); then a sweep cancelled once its first points are being planned
 * (Cancel sweep click -> progress bar gone).
 */
import type { Page } from 'playwright-core';
import { startTrace, type TraceSummary } from './trace.ts';

const VALUES = '10,15,20,25,30,40,50,60,80,100,125,150,200,250,300,400';
const runsAt = process.argv.indexOf('--runs');
/** Sweeps measured (`--runs N`, default 3); the figures are their medians. */
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 3;
/** `--profile`: the trace also samples JS functions (what the longest tasks ran), at some cost to every task. */
const SAMPLER = process.argv.includes('--profile');

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** ms from clicking `button` (by its text) in the Sweep region until no sweep progress bar is left. */
function clickUntilProgressGone(page: Page, button: string): Promise<number> {
  return page.evaluate(`new Promise((resolve) => {
    const region = document.querySelector('[role="region"][aria-label="Sweep"]');
    const bar = () => region.querySelector('[role="progressbar"][aria-label="Sweep progress"]');
    let seen = ${button === 'Cancel sweep'};
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      if (bar()) { seen = true; return; }
      if (!seen) return;
      obs.disconnect();
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
    });
    obs.observe(region, { childList: true, subtree: true, attributes: true });
    [...region.querySelectorAll('button')].find((b) => b.textContent.trim() === ${JSON.stringify(button)}).click();
  })`) as Promise<number>;
}

export async function measureSweep(page: Page): Promise<Record<string, unknown>> {
  await page.getByLabel('Zoo model').selectOption('gpt-6.7B');
  await page.getByTestId('model-name').filter({ hasText: 'gpt-6.7B' }).waitFor({ timeout: 120_000 });
  await page.getByLabel('Cluster preset').selectOption('p3.16xlarge x2');
  await page.getByRole('tab', { name: 'Sweep' }).click();
  const sweep = page.getByRole('region', { name: 'Sweep' });
  await sweep.getByLabel('Variable').selectOption('inter-gbps');
  // RUNS sweeps, each of 16 values no earlier run used (whatif caches planned points by scenario): medians.
  const runs: { wallMs: number; tasks: number[]; marks: number; changes: string[]; trace: TraceSummary }[] = [];
  for (let k = 0; k < RUNS; k++) {
    const values = VALUES.split(',').map((v) => Number(v) + k / 10).join(',');
    await sweep.getByLabel('Values').fill(values);
    const tracer = await startTrace(page, SAMPLER);
    const start = await page.evaluate('performance.now()') as number;
    const wallMs = await clickUntilProgressGone(page, 'Run sweep');
    const trace = await tracer.stop();
    const tasks = (await page.evaluate('window.__longTasks') as { start: number; duration: number }[]).filter((t) => t.start >= start && t.start <= start + wallMs);
    const marks = await sweep.locator('[data-testid^="mark-"]').count();
    const changes = await sweep.getByRole('list', { name: 'Structure changes' }).locator('li').allTextContents().catch(() => []);
    runs.push({ wallMs, tasks: tasks.map((t) => Math.round(t.duration)), marks, changes, trace });
  }
  const longest = runs.map((r) => Math.max(0, ...r.tasks));
  const { wallMs, tasks, marks, changes } = runs[runs.length - 1];

  // Cancel mid-sweep: once some point reports progress.
  await sweep.getByLabel('Values').fill('11,12,13,14,16,17,18,19');
  await sweep.getByRole('button', { name: 'Run sweep' }).click();
  await page.waitForFunction(`document.querySelector('[aria-label="Sweep progress"]')?.parentElement?.textContent?.includes('/')`);
  await page.waitForTimeout(1500);
  const cancelMs = await clickUntilProgressGone(page, 'Cancel sweep');
  return {
    device: 'Debian Chromium (headless), this machine',
    workers: await page.evaluate('navigator.hardwareConcurrency'),
    sweep: `gpt-6.7B on p3.16xlarge:2x8, inter-gbps=${VALUES} (+ k/10 Gbit/s in run k)`,
    points: VALUES.split(',').length,
    runs: RUNS,
    sweepWallMs: Math.round(median(runs.map((r) => r.wallMs))),
    longestTaskDuringSweepMs: Math.round(median(longest)),
    longestTaskCpuMs: median(runs.map((r) => r.trace.longestTaskCpuMs)),
    longestCpuOfAnyTaskMs: median(runs.map((r) => r.trace.longestCpuMs)),
    mainThreadCpuMs: median(runs.map((r) => r.trace.mainThreadCpuMs)),
    sweepWallMsRuns: runs.map((r) => Math.round(r.wallMs)),
    longestTaskDuringSweepMsRuns: longest,
    longTasksDuringLastSweep: tasks,
    lastSweepWallMs: Math.round(wallMs),
    marksDrawn: marks,
    structureChanges: changes,
    cancelSweepToIdleMs: Math.round(cancelMs),
    traces: runs.map((r) => r.trace),
    goals: { longestTaskDuringSweepMs: 100, cancelSweepToIdleMs: 500 },
  };
}
