/**
 * `npx tsx bench/ui/run.ts --scale [--runs N]`: issue 14's headless-Chromium goal. Llama-3-405B (zoo defaults: 2,048
 * sequences of 8,192 tokens) planned in bf16 on the Llama 3 RoCE fabric's 2,048 x 8 H100 through the page's
 * planner worker (the intra-op ILP on the page's worker pool), Plan click -> device grid of the plan drawn; and the
 * longest main-thread task from the preset pick to the drawn plan. Medians of N runs (default 3). Goal: <= 20 s.
 */
import type { Page } from 'playwright-core';

const PRESET = 'Llama 3 RoCE H100 x2048 (16,384 GPUs)';
const DRAWN = '[role="img"][aria-label="Devices by stage on llama3-h100-roce:2048x8"]';

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** ms from the Plan click until `selector` is in the page after the previous plan's result was replaced. */
function timePlan(page: Page): Promise<number> {
  return page.evaluate(`new Promise((resolve) => {
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Plan');
    let gone = false;
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      if (!document.querySelector('[role="progressbar"]') && !gone) return;
      gone = true;
      if (document.querySelector('[role="progressbar"]') || !document.querySelector(${JSON.stringify(DRAWN)})) return;
      obs.disconnect();
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
    });
    obs.observe(document.body, { childList: true, subtree: true, attributes: true });
    button.click();
  })`) as Promise<number>;
}

export async function measureScale(page: Page): Promise<Record<string, unknown>> {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
  await page.getByLabel('Zoo model').selectOption('llama-3-405B');
  await page.getByTestId('model-name').filter({ hasText: 'llama-3-405B' }).waitFor({ timeout: 120_000 });
  await page.getByLabel('precision').selectOption('bf16-mixed');
  const picked = await page.evaluate('performance.now()') as number;
  await page.getByLabel('Cluster preset').selectOption(PRESET);
  const planMs: number[] = [];
  for (let k = 0; k < runs; k++) planMs.push(await timePlan(page));
  await page.waitForTimeout(1000);
  const tasks = (await page.evaluate('window.__longTasks') as { start: number; duration: number }[]).filter((t) => t.start >= picked);
  const stages = await page.getByTestId('stage-count').textContent();
  return {
    device: 'Debian Chromium (headless), this machine',
    case: 'llama-3-405B bf16 on llama3-h100-roce:2048x8 (page worker, ILP)',
    planMs: Math.round(median(planMs)),
    runs: planMs.map(Math.round),
    stages,
    longestTaskMs: Math.round(Math.max(0, ...tasks.map((t) => t.duration))),
    goals: { planMs: 20_000, longestTaskMs: 100 },
  };
}
