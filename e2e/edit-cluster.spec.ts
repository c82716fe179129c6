import { expect, test } from '@playwright/test';
import { waitForPlan } from './helpers.ts';

test('adding a node and changing its GPU type shows in the planned device grid', async ({ page }, info) => {
  await page.goto('/');
  await waitForPlan(page);
  const cluster = page.getByRole('region', { name: 'Cluster' });
  await cluster.getByRole('button', { name: 'Add node' }).click();
  await cluster.getByLabel('GPU type of node 1').selectOption('A100-40GB');
  await expect(cluster).toContainText('V100-16GBx8+A100-40GBx8');
  await page.getByRole('button', { name: 'Plan' }).click();
  await waitForPlan(page);
  const grid = page.getByRole('region', { name: 'Stages' }).getByRole('img', { name: /Devices by stage/ });
  await expect(grid.locator('[data-device]')).toHaveCount(16);
  await expect(grid.locator('[data-node="1"]')).toHaveAttribute('data-gpu', 'A100-40GB');
  await expect(grid).toContainText('node 1 · A100-40GB');
  await page.getByRole('region', { name: 'Stages' }).screenshot({ path: info.outputPath('stages-16-gpus.png') });
});
