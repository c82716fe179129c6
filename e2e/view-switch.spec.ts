import { expect, test } from '@playwright/test';
import { waitForPlan } from './helpers.ts';

test('the header switches between Plan, Compare, Sweep and Learn, by click and by arrow keys', async ({ page }) => {
  await page.goto('/');
  await waitForPlan(page);
  const tabs = page.getByRole('tablist', { name: 'Page section' });
  await expect(tabs.getByRole('tab', { name: 'Plan' })).toHaveAttribute('aria-selected', 'true');
  await tabs.getByRole('tab', { name: 'Compare' }).click();
  await expect(page.getByRole('region', { name: 'Compare' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Stages' })).toHaveCount(0);
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('region', { name: 'Sweep' })).toBeVisible();
  await expect(tabs.getByRole('tab', { name: 'Sweep' })).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('region', { name: 'Learn' })).toBeVisible();
  // The panels of the current scenario stay on the left in every view.
  await expect(page.getByRole('region', { name: 'Cluster' })).toBeVisible();
  await tabs.getByRole('tab', { name: 'Plan' }).click();
  await expect(page.getByRole('region', { name: 'Stages' }).getByTestId('stage-count')).toHaveText(/^\d+ stages?$/);
});
