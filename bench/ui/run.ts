/**
 * UI benchmark (Playwright driving Debian's Chromium against `vite preview`): prints one JSON object with
 *  - planClickToDrawnMs: Plan click -> drawn plan for GPT-3 2.6B on p3.16xlarge x1 (8 GPUs); goal <= 2000
 *  - longestTaskDuringSearchMs: longest main-thread task (PerformanceObserver 'longtask') from the Plan click until
 *    GPT-39B's plan on p3.16xlarge 8x8 is drawn (search, result arrival, render); goal <= 100
 *  - cancelToIdleMs: Cancel click during a GPT-39B search -> progress gone (worker terminated); goal <= 500
 *  - llamaGraphDrawMs: "Load config" click -> layer graph drawn for a ~3,000-op Llama (HF config, 125 blocks); goal <= 2000
 *  - longestTask16kMs: longest main-thread task from picking the 16,384-GPU DGX-H100 SuperPOD preset until GPT-2.6B's
 *    plan on it is drawn (canvas device grids); goal <= 100
 * Run: `npx tsx bench/ui/run.ts [--runs N] [--profile]` (builds with vite first unless --no-build); each 'longest task' has
 * its main-thread CPU time beside it (a CDP trace of the window: `...CpuMs`), since load stretches wall time.
 * With `--sweep` it measures the Sweep region instead (sweep.ts): a 16-point sweep on GPT-6.7B, wall time and the
 * longest main-thread task, and Cancel sweep mid-sweep -> progress gone. With `--learn` (learn.ts): the Learn
 * region's inter-node bandwidth knob on GPT-39B 8x8, key press -> three plans re-drawn, and the longest main-thread
 * task meanwhile. With `--scale` (scale.ts): Llama-3-405B on 2,048 x 8 H100 planned through the page's worker, Plan
 * click -> plan drawn (goal <= 20 s). `--runs N` sets how many runs the --sweep, --learn and --scale medians take.
 */
import { execFileSync, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { chromium, type Page } from 'playwright-core';
import { median } from './sweep.ts';
import { startTrace, type TraceSummary } from './trace.ts';

/** BENCH_PORT lets several checkouts run the bench at once. */
const PORT = Number(process.env.BENCH_PORT ?? 4179);
const BASE = `http://127.0.0.1:${PORT}/`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LLAMA_3000_OPS = { model_type: 'llama', hidden_size: 4096, num_hidden_layers: 125, num_attention_heads: 32, num_key_value_heads: 8, intermediate_size: 11008, vocab_size: 32000 };

async function waitForServer(url: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try { if ((await fetch(url)).ok) return; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`vite preview did not answer at ${url} within ${timeoutMs} ms`);
}

/**
 * Clicks a button by its text inside the page and resolves with the ms until `readySelector` matches (after it was
 * gone first, when `mustVanishFirst`) and a frame has been painted. Written as source text: tsx would add helper
 * calls (__name) to a function passed to page.evaluate, which the page does not have.
 */
function timeClickUntil(page: Page, buttonText: string, readySelector: string, mustVanishFirst: boolean): Promise<number> {
  return page.evaluate(`new Promise((resolve) => {
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === ${JSON.stringify(buttonText)});
    let gone = ${!mustVanishFirst};
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      if (!document.querySelector(${JSON.stringify(readySelector)})) { gone = true; return; }
      if (!gone) return;
      obs.disconnect();
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
    });
    obs.observe(document.body, { childList: true, subtree: true, attributes: true });
    button.click();
  })`) as Promise<number>;
}

async function main(): Promise<void> {
  if (!process.argv.includes('--no-build')) execFileSync('npx', ['vite', 'build'], { stdio: 'ignore' });
  const measure = process.argv.includes('--sweep') ? (await import('./sweep.ts')).measureSweep
    : process.argv.includes('--learn') ? (await import('./learn.ts')).measureLearn
    : process.argv.includes('--scale') ? (await import('./scale.ts')).measureScale : measurePlanViews;
  const server = spawn('npx', ['vite', 'preview', '--port', String(PORT), '--strictPort', '--host', '127.0.0.1'], { stdio: 'ignore', detached: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    await waitForServer(BASE, 60_000);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.addInitScript(`window.__longTasks = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration }); }).observe({ type: 'longtask', buffered: true });`);
    await page.goto(BASE);
    await page.waitForSelector('[data-testid="stage-count"]', { timeout: 120_000 });
    console.log(JSON.stringify(await measure(page)));
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid);
  }
}

/** `--runs N` (default 1): the plan-views flow is measured N times, each from a fresh page; figures are medians. */
const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 1;
/** `--profile`: the traces also sample JS functions (what the longest tasks ran), at some cost to every task. */
const SAMPLER = process.argv.includes('--profile');

async function measurePlanViews(page: Page): Promise<Record<string, unknown>> {
  const runs: Record<string, unknown>[] = [];
  for (let i = 0; i < RUNS; i++) {
    if (i > 0) {
      // A fresh page: the scenario (local storage) back to the default, the long-task list emptied.
      await page.evaluate('localStorage.clear()');
      await page.goto(BASE);
      await page.waitForSelector('[data-testid="stage-count"]', { timeout: 120_000 });
    }
    runs.push(await measurePlanViewsOnce(page));
  }
  const med = (key: string): number => median(runs.map((r) => r[key] as number));
  const medTrace = (key: string, field: keyof TraceSummary): number => median(runs.map((r) => (r[key] as TraceSummary)[field] as number));
  return {
    device: 'Debian Chromium (headless), this machine',
    runs: RUNS,
    loadAverage: loadavg().map((l) => Math.round(l * 10) / 10),
    planClickToDrawnMs: med('planClickToDrawnMs'),
    gpt39bSearchToResultMs: med('gpt39bSearchToResultMs'),
    gpt39bTimeline: runs[0].gpt39bTimeline,
    longestTaskDuringSearchMs: med('longestTaskDuringSearchMs'),
    longestTaskDuringSearchCpuMs: medTrace('trace39b', 'longestTaskCpuMs'),
    longestCpuOfAnyTaskDuringSearchMs: medTrace('trace39b', 'longestCpuMs'),
    cancelToIdleMs: med('cancelToIdleMs'),
    llamaGraphOps: runs[0].llamaGraphOps,
    llamaGraphDrawMs: med('llamaGraphDrawMs'),
    gpus16kPlanMs: med('gpus16kPlanMs'),
    longestTask16kMs: med('longestTask16kMs'),
    longestTask16kCpuMs: medTrace('trace16k', 'longestTaskCpuMs'),
    longestCpuOfAnyTask16kMs: medTrace('trace16k', 'longestCpuMs'),
    perRun: runs,
    goals: { planClickToDrawnMs: 2000, longestTaskDuringSearchMs: 100, llamaGraphDrawMs: 2000, cancelToIdleMs: 500, longestTask16kMs: 100 },
  };
}

async function measurePlanViewsOnce(page: Page): Promise<Record<string, unknown>> {
  const stageCount = '[data-testid="stage-count"]';
  // 1. Plan click -> drawn plan, GPT-3 2.6B on 8 GPUs (the default scenario; the first-load plan warmed the worker).
  const planClickToDrawnMs = await timeClickUntil(page, 'Plan', stageCount, true);

  // 2. Longest main-thread task while GPT-39B is searched on 8x8 (traced: wall and thread CPU of each task).
  await page.getByLabel('Zoo model').selectOption('gpt-39B');
  await page.getByTestId('model-name').filter({ hasText: 'gpt-39B' }).waitFor({ timeout: 120_000 });
  await page.getByLabel('Cluster preset').selectOption('p3.16xlarge x8');
  const tracer39b = await startTrace(page, SAMPLER);
  const searchStart = await page.evaluate('performance.now()') as number;
  const searchMs = await timeClickUntil(page, 'Plan', `${stageCount}, [role="status"]`, true);
  const trace39b = await tracer39b.stop();
  const landed = searchStart + searchMs;
  const tasks = await page.evaluate('window.__longTasks') as { start: number; duration: number }[];
  // Every long task from the Plan click until the plan is drawn: the search itself, the result's arrival
  // (structured clone of the plan) and the views' time-sliced render.
  const window = tasks.filter((t) => t.start >= searchStart && t.start <= landed);
  const timelineEvents = await page.getByRole('region', { name: 'Timeline' }).getByText(/\d+ events/).textContent().catch(() => null);

  // Cancel: Plan, then Cancel once the search runs; ms until the progress bar is gone.
  await page.getByRole('button', { name: 'Plan' }).click();
  await page.getByRole('button', { name: 'Cancel' }).waitFor();
  await page.waitForSelector('[role="progressbar"]');
  const cancelMs = await page.evaluate(`new Promise((resolve) => {
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      if (document.querySelector('[role="progressbar"]')) return;
      obs.disconnect();
      resolve(performance.now() - t0);
    });
    obs.observe(document.body, { childList: true, subtree: true });
    [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Cancel').click();
  })`) as number;

  // 3. A ~3,000-op Llama graph: import in the worker, layout in the layout worker, layer graph drawn.
  await page.getByText('Paste HF config.json').click();
  await page.getByLabel('Hugging Face config.json').fill(JSON.stringify(LLAMA_3000_OPS));
  const llamaGraphDrawMs = await timeClickUntil(page, 'Load config', '[data-testid="layer-graph"][data-groups="127"]', false);
  const ops = await page.getByRole('region', { name: 'Model' }).locator('dt:text-is("ops") + dd').textContent();

  // 4. A 16,384-GPU cluster (DGX-H100 SuperPOD x2048): preset pick, plan and draw (canvas grids); the longest
  //    main-thread task from the pick until the plan is drawn.
  await page.getByLabel('Zoo model').selectOption('gpt-2.6B');
  await page.getByTestId('model-name').filter({ hasText: 'gpt-2.6B' }).waitFor({ timeout: 120_000 });
  const tracer16k = await startTrace(page, SAMPLER);
  const pick16k = await page.evaluate('performance.now()') as number;
  await page.getByLabel('Cluster preset').selectOption('DGX-H100 SuperPOD x2048 (16,384 GPUs)');
  const search16kMs = await timeClickUntil(page, 'Plan', '[role="img"][aria-label="Devices by stage on dgx-h100-superpod:2048x8"]', false);
  await page.waitForTimeout(1000);
  const trace16k = await tracer16k.stop();
  const tasks16k = (await page.evaluate('window.__longTasks') as { start: number; duration: number }[]).filter((t) => t.start >= pick16k);
  return {
    planClickToDrawnMs: Math.round(planClickToDrawnMs),
    gpt39bSearchToResultMs: Math.round(searchMs),
    gpt39bTimeline: timelineEvents,
    longestTaskDuringSearchMs: Math.round(Math.max(0, ...window.map((t) => t.duration))),
    longTasksDuringSearch: window.map((t) => Math.round(t.duration)),
    trace39b,
    cancelToIdleMs: Math.round(cancelMs),
    llamaGraphOps: Number(ops),
    llamaGraphDrawMs: Math.round(llamaGraphDrawMs),
    gpus16kPlanMs: Math.round(search16kMs),
    longestTask16kMs: Math.round(Math.max(0, ...tasks16k.map((t) => t.duration))),
    longTasks16k: tasks16k.map((t) => Math.round(t.duration)),
    trace16k,
  };
}

await main();
