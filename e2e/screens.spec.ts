import { expect, test } from '@playwright/test';
import { PLAN_TIMEOUT_MS, waitForPlan } from './helpers.ts';

// Compare, Sweep and Learn in light and dark, for a person to read (the default GPT-3 2.6B scenario, made two nodes
// where the view compares or varies something).
test('screenshots of Compare, Sweep and Learn in light and dark', async ({ page }, info) => {
  test.setTimeout(400_000);
  await page.goto('/');
  await waitForPlan(page);
  const tabs = page.getByRole('tablist', { name: 'Page section' });
  const theme = async (t: 'light' | 'dark') => {
    const toggle = page.getByRole('button', { name: t === 'dark' ? 'Switch to dark theme' : 'Switch to light theme' });
    if (await toggle.count()) await toggle.click();
  };
  const shoot = async (name: string) => {
    for (const t of ['light', 'dark'] as const) {
      await theme(t);
      await page.screenshot({ path: info.outputPath(`${name}-${t}.png`), fullPage: true });
    }
    await theme('light');
  };

  await tabs.getByRole('tab', { name: 'Compare' }).click();
  const compare = page.getByRole('region', { name: 'Compare' });
  await expect(compare.getByRole('group', { name: 'Scenario 1' }).getByTestId('column-stage-count')).toHaveText(/^\d+$/, { timeout: PLAN_TIMEOUT_MS });
  await compare.getByRole('button', { name: 'Add scenario' }).click();
  const second = compare.getByRole('group', { name: 'Scenario 2' });
  await second.getByLabel('nodes', { exact: true }).fill('2');
  await expect(second.getByTestId('grown-terms')).toBeVisible({ timeout: PLAN_TIMEOUT_MS });
  await shoot('compare');

  await tabs.getByRole('tab', { name: 'Sweep' }).click();
  const sweep = page.getByRole('region', { name: 'Sweep' });
  await sweep.getByLabel('Variable').selectOption('nodes');
  await sweep.getByLabel('Values').fill('1,2,4');
  await sweep.getByRole('button', { name: 'Run sweep' }).click();
  await expect(sweep.getByTestId('mark-searched')).toHaveCount(3, { timeout: 3 * PLAN_TIMEOUT_MS });
  await expect(sweep.getByRole('progressbar')).toHaveCount(0, { timeout: PLAN_TIMEOUT_MS });
  await shoot('sweep');

  await tabs.getByRole('tab', { name: 'Learn' }).click();
  const learn = page.getByRole('region', { name: 'Learn' });
  const nodes = learn.getByRole('slider', { name: 'nodes', exact: true });
  await nodes.focus();
  await page.keyboard.press('ArrowRight');
  await expect(learn.getByTestId('knob-value-nodes')).toHaveText('2');
  await expect(learn.getByTestId('learn-result')).toHaveAttribute('data-state', 'current', { timeout: 2 * PLAN_TIMEOUT_MS });
  await expect(learn.getByTestId('learn-crossover-text')).toBeVisible({ timeout: 3 * PLAN_TIMEOUT_MS });
  await shoot('learn');
});
