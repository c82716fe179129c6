import { expect, test } from '@playwright/test';
import { shownStageCount, waitForPlan } from './helpers.ts';

// XLA HLO text (issue 12): the compiled loss of a small GPT (lax.scan over 4 layers, CPU backend) opens through the
// page's file input, is recognised by its first line (the file ends in .txt), shows its parameters and layers, and
// plans. The planner's search for it takes about 20 s of CPU; on a loaded machine the wall time is several times that.
test('opens an XLA HLO text file (.hlo.txt) through the file input and plans it; a partitioned one names its collectives', async ({ page }) => {
  test.setTimeout(480_000);
  await page.goto('/');
  await waitForPlan(page);
  const model = page.getByRole('region', { name: 'Model' });
  await page.getByLabel('Open model file').setInputFiles('fixtures/wild/hlo/gpt-scan.forward.hlo.txt');
  await expect(model.getByTestId('model-name')).toHaveText('gpt-scan.forward', { timeout: 60_000 });
  await expect(model).toContainText('3.45 M');
  const plan = page.getByRole('button', { name: 'Plan' });
  await expect(plan).toBeEnabled({ timeout: 300_000 });
  await plan.click();
  await expect(page.getByRole('region', { name: 'Stages' }).getByTestId('stage-count')).toHaveText(/^\d+ stages?$/, { timeout: 300_000 });
  expect(await shownStageCount(page)).toBeGreaterThan(0);
  await expect(page.getByRole('banner')).toContainText('scenario: gpt-scan.forward');
  // A program XLA partitioned over 8 devices: its collectives are named among the import warnings.
  await page.getByLabel('Open model file').setInputFiles('fixtures/wild/hlo/gpt-scan-tp4dp2.train.hlo.txt');
  await expect(model.getByTestId('model-name')).toHaveText('gpt-scan-tp4dp2.train', { timeout: 60_000 });
  await model.getByText('2 import warnings').click();
  await expect(model).toContainText('17 collectives over 8 devices: collective-permute x7');
  await expect(model).toContainText('all-reduce x6 (groups of 4; groups of 2), all-to-all x4 (groups of 4)');
  await expect(model).toContainText('3,450,112 in the whole model');
});
