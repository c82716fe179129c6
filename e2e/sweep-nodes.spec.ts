import { expect, test } from '@playwright/test';
import { waitForPlan } from './helpers.ts';

const SWEEP_TIMEOUT_MS = 300_000;

test('Sweep: nodes 1,2,4,8 for GPT-6.7B on p3.16xlarge draws 4 points in each of the 4 series; a point opens in the plan views', async ({ page }, info) => {
  test.setTimeout(SWEEP_TIMEOUT_MS + 120_000);
  await page.goto('/');
  await waitForPlan(page);
  await page.getByLabel('Zoo model').selectOption('gpt-6.7B');
  await expect(page.getByRole('region', { name: 'Model' }).getByTestId('model-name')).toHaveText('gpt-6.7B', { timeout: 60_000 });
  await page.getByRole('tab', { name: 'Sweep' }).click();
  const sweep = page.getByRole('region', { name: 'Sweep' });
  await sweep.getByLabel('Variable').selectOption('nodes');
  await sweep.getByLabel('Values').fill('1,2,4,8');
  await sweep.getByRole('button', { name: 'Run sweep' }).click();
  await expect(sweep.getByRole('progressbar', { name: 'Sweep progress' })).toBeVisible();
  await expect(sweep.getByRole('progressbar', { name: 'Sweep progress' })).toHaveCount(0, { timeout: SWEEP_TIMEOUT_MS });
  for (const series of ['searched', 'megatron', 'intra-only', 'inter-only']) {
    await expect(sweep.getByTestId(`mark-${series}`)).toHaveCount(4);
  }
  // Hover shows the point's structure.
  await sweep.getByTestId('mark-searched').nth(3).hover();
  await expect(sweep.getByTestId('point-details')).toContainText('nodes=8');
  await expect(sweep.getByTestId('point-details')).toContainText(/\d+ stages?/);
  // ... and the cost-model terms of its step time (the core's stepTerms).
  await expect(sweep.getByTestId('point-terms')).toContainText(/^step [\d.]+ s = sum \(per-stage means; simulated step\): compute [\d.]+ m?s \+ intra-stage communication /);
  await expect(sweep.getByTestId('point-terms')).toContainText('pipeline bubble');
  await sweep.screenshot({ path: info.outputPath('sweep-light.png') });
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await sweep.screenshot({ path: info.outputPath('sweep-dark.png') });
  // CSV export: a header and one row per point and series.
  const [csv] = await Promise.all([page.waitForEvent('download'), sweep.getByRole('button', { name: 'CSV' }).click()]);
  const text = (await (await csv.createReadStream()).toArray()).join('');
  expect(text.trim().split('\n')).toHaveLength(1 + 16);
  const [svg] = await Promise.all([page.waitForEvent('download'), sweep.getByRole('button', { name: 'SVG' }).click()]);
  expect(svg.suggestedFilename()).toBe('meshplan-sweep.svg');
  // Click opens that point's plan in the plan views.
  await sweep.getByTestId('mark-searched').nth(3).click();
  await expect(page.getByRole('tab', { name: 'Plan' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('region', { name: 'Cluster' })).toContainText('8x8');
  await waitForPlan(page);
});
