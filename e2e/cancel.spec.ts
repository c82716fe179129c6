import { expect, test } from '@playwright/test';
import { waitForPlan } from './helpers.ts';

test('cancelling a long search (GPT-39B on 8x8) returns at once, leaves no plan, and a later Plan works', async ({ page }, info) => {
  await page.goto('/');
  await waitForPlan(page);
  await page.getByLabel('Zoo model').selectOption('gpt-39B');
  await expect(page.getByRole('region', { name: 'Model' }).getByTestId('model-name')).toHaveText('gpt-39B', { timeout: 60_000 });
  await page.getByLabel('Cluster preset').selectOption('p3.16xlarge x8');
  await page.getByRole('button', { name: 'Plan' }).click();
  const progress = page.getByRole('progressbar', { name: 'Plan progress' });
  // Cancel as soon as it is enabled: the search (about a second here) must still be running.
  const cancel = page.getByRole('button', { name: 'Cancel' });
  await expect(cancel).toBeEnabled();
  const started = Date.now();
  await cancel.click();
  await expect(progress).toHaveCount(0);
  expect(Date.now() - started).toBeLessThan(500);
  await expect(cancel).toBeDisabled();
  await expect(page.getByRole('status')).toContainText('Search cancelled');
  await expect(page.getByRole('region', { name: 'Stages' })).toContainText('No plan yet');
  await page.screenshot({ path: info.outputPath('cancelled.png') });
  // Responsive: the panels still edit.
  await page.getByRole('button', { name: 'Add node' }).click();
  await expect(page.getByRole('region', { name: 'Cluster' })).toContainText('p3.16xlarge:9x8');
  // A later plan works (a small model on one node).
  await page.getByLabel('Cluster preset').selectOption('p3.16xlarge x1');
  await page.getByLabel('Zoo model').selectOption('gpt-350M');
  await expect(page.getByRole('region', { name: 'Model' }).getByTestId('model-name')).toHaveText('gpt-350M');
  await page.getByRole('button', { name: 'Plan' }).click();
  await waitForPlan(page);
});
