import { expect, test } from '@playwright/test';
import { PLAN_TIMEOUT_MS, waitForPlan } from './helpers.ts';

test('Compare: a second scenario with twice the nodes; both columns show plans and what differs', async ({ page }, info) => {
  await page.goto('/');
  await waitForPlan(page);
  await page.getByRole('tab', { name: 'Compare' }).click();
  const compare = page.getByRole('region', { name: 'Compare' });
  const first = compare.getByRole('group', { name: 'Scenario 1' });
  await expect(first.getByTestId('column-stage-count')).toHaveText(/^\d+$/, { timeout: PLAN_TIMEOUT_MS });
  await compare.getByRole('button', { name: 'Add scenario' }).click();
  const second = compare.getByRole('group', { name: 'Scenario 2' });
  // A count the planner cannot take is named under the field and not applied.
  await second.getByLabel('nodes', { exact: true }).fill('0');
  await expect(second.getByRole('alert')).toHaveText('nodes: 0 is out of range; it must be a whole number from 1 to 2,048');
  await expect(second.getByTestId('changed-inputs')).not.toContainText('nodes');
  await second.getByRole('textbox', { name: /^nodes/ }).fill('2');
  await expect(second.getByRole('alert')).toHaveCount(0);
  await expect(second.getByTestId('changed-inputs')).toContainText('nodes 1 → 2');
  // The changed input is marked in the editor.
  await expect(second.locator('label[data-changed]')).toContainText(['nodes']);
  await expect(second.getByTestId('column-stage-count')).toHaveText(/^\d+$/, { timeout: PLAN_TIMEOUT_MS });
  await expect(second.getByTestId('grown-terms')).toBeVisible({ timeout: PLAN_TIMEOUT_MS });
  await expect(second.getByTestId('moved-boundaries')).toBeVisible();
  // Each number names its cost terms on keyboard focus.
  const step = second.getByTestId('column-step-time');
  await step.focus();
  await expect(step.getByRole('tooltip')).toBeVisible();
  await expect(step.getByRole('tooltip')).toContainText('compute');
  await page.screenshot({ path: info.outputPath('compare-light.png'), fullPage: true });
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await page.screenshot({ path: info.outputPath('compare-dark.png'), fullPage: true });
});
