import { expect, test } from '@playwright/test';
import { PLAN_TIMEOUT_MS, waitForPlan } from './helpers.ts';

test('Compare: scenarios (with their prices) are kept across a reload and travel in the share URL', async ({ page, context }) => {
  await page.goto('/');
  await waitForPlan(page);
  await page.getByRole('tab', { name: 'Compare' }).click();
  const compare = page.getByRole('region', { name: 'Compare' });
  await compare.getByRole('button', { name: 'Add scenario' }).click();
  const second = compare.getByRole('group', { name: 'Scenario 2' });
  await second.getByLabel('GPUs per node').fill('4');
  await second.getByLabel('price per GPU-hour ($)').fill('3.06');
  await expect(second.getByRole('term').filter({ hasText: /^cost per step$/ })).toBeVisible({ timeout: PLAN_TIMEOUT_MS });
  await expect(second.getByRole('term').filter({ hasText: /^tokens\/s$/ })).toBeVisible();

  await page.reload();
  // The page opens where it was left, with both columns as they were, planned again.
  await expect(page.getByRole('tab', { name: 'Compare' })).toHaveAttribute('aria-selected', 'true');
  const again = page.getByRole('region', { name: 'Compare' }).getByRole('group', { name: 'Scenario 2' });
  await expect(again.getByLabel('GPUs per node')).toHaveValue('4');
  await expect(again.getByLabel('price per GPU-hour ($)')).toHaveValue('3.06');
  await expect(again.getByRole('term').filter({ hasText: /^cost per step$/ })).toBeVisible({ timeout: PLAN_TIMEOUT_MS });

  // The share URL carries the columns to a fresh browser.
  await page.getByRole('button', { name: 'Share' }).click();
  const url = await page.getByLabel('Share URL').inputValue();
  expect(url).toMatch(/#s=[\w-]+&c=[\w-]+$/);
  const other = await context.browser()!.newPage();
  await other.goto(url);
  const shared = other.getByRole('region', { name: 'Compare' });
  await expect(shared.getByRole('group', { name: 'Scenario 2' }).getByLabel('GPUs per node')).toHaveValue('4');
  await expect(shared.getByRole('group', { name: 'Scenario 1' }).getByLabel('GPUs per node')).toHaveValue('8');
  await other.close();
});
