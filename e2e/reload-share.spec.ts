import { expect, test, type Page } from '@playwright/test';
import { waitForPlan } from './helpers.ts';

async function expectScenario(page: Page): Promise<void> {
  await expect(page.getByRole('region', { name: 'Model' }).getByTestId('model-name')).toHaveText('gpt-1.3B');
  const cluster = page.getByRole('region', { name: 'Cluster' });
  await expect(cluster).toContainText('p3.16xlarge:2x8');
  await expect(cluster.getByLabel('global batch')).toHaveValue('512');
  await expect(cluster.getByLabel('schedule')).toHaveValue('gpipe');
}

test('the scenario survives a reload and travels in the share URL', async ({ page, browser }, info) => {
  await page.goto('/');
  await waitForPlan(page);
  await page.getByLabel('Zoo model').selectOption('gpt-1.3B');
  await expect(page.getByRole('region', { name: 'Model' }).getByTestId('model-name')).toHaveText('gpt-1.3B');
  await page.getByRole('button', { name: 'Add node' }).click();
  await page.getByLabel('global batch').fill('512');
  await page.getByLabel('schedule').selectOption('gpipe');
  await expectScenario(page);

  await page.reload();
  await expectScenario(page);

  await page.getByRole('button', { name: 'Share' }).click();
  const url = await page.getByLabel('Share URL').inputValue();
  expect(url).toMatch(/#s=[A-Za-z0-9_-]+$/);
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(url);
  await expectScenario(other);
  await other.screenshot({ path: info.outputPath('shared-scenario.png') });
  await fresh.close();
});
