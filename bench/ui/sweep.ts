/**
 * The Sweep region under load (run through `npx tsx bench/ui/run.ts --sweep`): a 16-point sweep of GPT-6.7B on
 * p3.16xlarge x2 over inter-node bandwidth, from the Run sweep click until the last point is drawn (wall time, the
 * longest main-thread task in that window, and how many marks were drawn); then a second sweep cancelled once its
 * first points are being planned (Cancel sweep click -> progress bar gone).
 */
import type { Page } from 'playwright-core';

const VALUES = '10,15,20,25,30,40,50,60,80,100,125,150,200,250,300,400';

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
  await sweep.getByLabel('Values').fill(VALUES);
  const start = await page.evaluate('performance.now()') as number;
  const wallMs = await clickUntilProgressGone(page, 'Run sweep');
  const tasks = (await page.evaluate('window.__longTasks') as { start: number; duration: number }[]).filter((t) => t.start >= start && t.start <= start + wallMs);
  const marks = await sweep.locator('[data-testid^="mark-"]').count();
  const changes = await sweep.getByRole('list', { name: 'Structure changes' }).locator('li').allTextContents().catch(() => []);

  // Cancel mid-sweep: once some point reports progress.
  await sweep.getByLabel('Values').fill('11,12,13,14,16,17,18,19');
  await sweep.getByRole('button', { name: 'Run sweep' }).click();
  await page.waitForFunction(`document.querySelector('[aria-label="Sweep progress"]')?.parentElement?.textContent?.includes('/')`);
  await page.waitForTimeout(1500);
  const cancelMs = await clickUntilProgressGone(page, 'Cancel sweep');
  return {
    device: 'Debian Chromium (headless), this machine',
    workers: await page.evaluate('navigator.hardwareConcurrency'),
    sweep: `gpt-6.7B on p3.16xlarge:2x8, inter-gbps=${VALUES}`,
    points: VALUES.split(',').length,
    sweepWallMs: Math.round(wallMs),
    longestTaskDuringSweepMs: Math.round(Math.max(0, ...tasks.map((t) => t.duration))),
    longTasksDuringSweep: tasks.map((t) => Math.round(t.duration)),
    marksDrawn: marks,
    structureChanges: changes,
    cancelSweepToIdleMs: Math.round(cancelMs),
    goals: { longestTaskDuringSweepMs: 100, cancelSweepToIdleMs: 500 },
  };
}
