import { expect, test } from '@playwright/test';
import { waitForPlan } from './helpers.ts';

test('Sweep: bad values are named in Errors; Cancel sweep stops every point within 0.5 s, and a later sweep runs', async ({ page }) => {
  await page.goto('/');
  await waitForPlan(page);
  await page.getByRole('tab', { name: 'Sweep' }).click();
  const sweep = page.getByRole('region', { name: 'Sweep' });
  await sweep.getByLabel('Variable').selectOption('inter-gbps');
  await sweep.getByLabel('Values').fill('10,0,100');
  await sweep.getByRole('button', { name: 'Run sweep' }).click();
  await expect(page.getByRole('region', { name: 'Errors' })).toContainText('inter-gbps=0: bandwidth must be positive');

  // A long sweep (GPT-2.6B over 1..8 nodes): cancel while its points are being planned.
  await sweep.getByLabel('Variable').selectOption('nodes');
  await sweep.getByLabel('Values').fill('1,2,4,8,16');
  await sweep.getByRole('button', { name: 'Run sweep' }).click();
  const progress = sweep.getByRole('progressbar', { name: 'Sweep progress' });
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute('aria-valuenow', '0');
  // Timed inside the page (click -> progress bar gone from the DOM), so the figure is the page's, not the test
  // runner's polling interval.
  const cancelMs = await page.evaluate(() => new Promise<number>((resolve) => {
    const region = document.querySelector('[role="region"][aria-label="Sweep"]')!;
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      if (region.querySelector('[aria-label="Sweep progress"]')) return;
      obs.disconnect();
      resolve(performance.now() - t0);
    });
    obs.observe(region, { childList: true, subtree: true });
    [...region.querySelectorAll('button')].find((b) => b.textContent === 'Cancel sweep')!.click();
  }));
  expect(cancelMs).toBeLessThan(500);
  await expect(progress).toHaveCount(0);
  await expect(sweep.getByRole('status')).toContainText('Sweep cancelled');
  await expect(sweep.getByRole('button', { name: 'Run sweep' })).toBeEnabled();

  // The pool's workers were replaced: a small sweep still runs to the end.
  await sweep.getByLabel('Values').fill('1,2');
  await sweep.getByRole('button', { name: 'Run sweep' }).click();
  await expect(progress).toHaveCount(0, { timeout: 180_000 });
  await expect(sweep.getByTestId('mark-searched')).toHaveCount(2);
});
