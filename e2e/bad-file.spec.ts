import { expect, test } from '@playwright/test';
import { waitForPlan } from './helpers.ts';

test('a bad file shows what failed in "Errors" and keeps the model and plan', async ({ page }, info) => {
  await page.goto('/');
  await waitForPlan(page);
  await expect(page.getByRole('region', { name: 'Errors' })).toHaveCount(0);
  await page.getByLabel('Open model file').setInputFiles({ name: '<b>broken</b>.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('this is not a protobuf model') });
  const errors = page.getByRole('region', { name: 'Errors' });
  await expect(errors).toBeVisible();
  // The file name is rendered as text, never as HTML.
  await expect(errors).toContainText('Could not load <b>broken</b>.onnx');
  await expect(errors.locator('b')).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Model' }).getByTestId('model-name')).toHaveText('gpt-2.6B');
  await expect(page.getByRole('region', { name: 'Stages' }).getByTestId('stage-count')).toBeVisible();
  await errors.screenshot({ path: info.outputPath('errors.png') });
  await errors.getByRole('button', { name: /Dismiss error/ }).click();
  await expect(errors).toHaveCount(0);
});
