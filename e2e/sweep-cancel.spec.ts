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
  const started = Date.now();
  await sweep.getByRole('button', { name: 'Cancel sweep' }).click();
  await expect(progress).toHaveCount(0);
  expect(Date.now() - started).toBeLessThan(500);
  await expect(sweep.getByRole('status')).toContainText('Sweep cancelled');
  await expect(sweep.getByRole('button', { name: 'Run sweep' })).toBeEnabled();

  // The pool's workers were replaced: a small sweep still runs to the end.
  await sweep.getByLabel('Values').fill('1,2');
  await sweep.getByRole('button', { name: 'Run sweep' }).click();
  await expect(progress).toHaveCount(0, { timeout: 180_000 });
  await expect(sweep.getByTestId('mark-searched')).toHaveCount(2);
});
