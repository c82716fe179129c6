import { expect, test } from '@playwright/test';
import { shownStageCount, waitForPlan } from './helpers.ts';

// Three exports from fixtures/wild (issue 12): an encoder-decoder (Whisper), an MoE (Mixtral), a vision model (ViT).
// Each opens through the file input with its parameter count and plans.
const FILES: readonly [string, string][] = [
  ['whisper.dynamo', '37.8 M'],
  ['mixtral.dynamo', '78.1 M'],
  ['vit.dynamo', '86.6 M'],
];

test('opens an encoder-decoder, an MoE and a vision model exported by torch.onnx, and plans each', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/');
  await waitForPlan(page);
  const model = page.getByRole('region', { name: 'Model' });
  for (const [stem, params] of FILES) {
    await page.getByLabel('Open model file').setInputFiles(`fixtures/wild/onnx/${stem}.onnx`);
    await expect(model.getByTestId('model-name')).toHaveText(stem, { timeout: 60_000 });
    await expect(model).toContainText(params);
    await page.getByRole('button', { name: 'Plan' }).click();
    await waitForPlan(page);
    expect(await shownStageCount(page)).toBeGreaterThan(0);
  }
});
