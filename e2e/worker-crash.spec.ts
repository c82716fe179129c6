import { expect, test } from '@playwright/test';
import { waitForPlan } from './helpers.ts';

test('a planner worker that crashes is replaced, the page says so, and the next Plan works', async ({ page }, info) => {
  await page.goto('/');
  await waitForPlan(page);
  // An uncaught error inside every planner worker (as an out-of-memory abort would raise). A crash in the middle of
  // a search (the call in flight rejected at once) is covered by app/client/workerHandle.test.ts.
  const planners = page.workers().filter((w) => w.url().includes('planner.worker'));
  expect(planners.length).toBeGreaterThan(0);
  for (const w of planners) await w.evaluate(() => { setTimeout(() => { throw new Error('simulated crash'); }, 0); });
  const status = page.getByRole('status');
  await expect(status).toContainText('a fresh one has replaced it');
  await expect(status).toContainText('simulated crash');
  await page.screenshot({ path: info.outputPath('worker-replaced.png') });
  await page.getByRole('button', { name: 'Plan' }).click();
  await waitForPlan(page);
  await expect(page.getByRole('region', { name: 'Errors' })).toHaveCount(0);
});
