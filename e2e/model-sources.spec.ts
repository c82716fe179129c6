import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { waitForPlan } from './helpers.ts';

test('models from the Samples menu, zoo dimension sliders, a pasted HF config and a dropped file', async ({ page }, info) => {
  await page.goto('/');
  await waitForPlan(page);
  const model = page.getByRole('region', { name: 'Model' });
  const name = model.getByTestId('model-name');

  await model.getByLabel('Samples').selectOption('resnet50.onnx');
  await expect(name).toHaveText('resnet50');
  await expect(model.getByTestId('layer-graph')).toBeVisible();

  await model.getByLabel('Zoo model').selectOption('gpt-350M');
  await expect(name).toHaveText('gpt-350M');
  await model.getByText('Dimensions', { exact: true }).click();
  await model.getByRole('slider', { name: 'layers' }).fill('12');
  await model.getByRole('button', { name: 'Build with these dimensions' }).click();
  await expect(name).toHaveText('gpt-350M (layers=12)');
  await expect(model.getByTestId('layer-graph')).toHaveAttribute('data-groups', '14');

  await model.getByText('Paste HF config.json').click();
  await model.getByLabel('Hugging Face config.json').fill(JSON.stringify({ model_type: 'llama', hidden_size: 2048, num_hidden_layers: 4, num_attention_heads: 16, num_key_value_heads: 4, intermediate_size: 5632, vocab_size: 32000 }));
  await model.getByRole('button', { name: 'Load config' }).click();
  await expect(name).toHaveText('llama-h2048-l4');

  const bytes = readFileSync('public/models/gpt2-124m.onnx').toString('base64');
  const dataTransfer = await page.evaluateHandle((b64) => {
    const dt = new DataTransfer();
    dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'dropped-gpt2.onnx'));
    return dt;
  }, bytes);
  await page.dispatchEvent('main', 'drop', { dataTransfer });
  await expect(name).toHaveText('dropped-gpt2');
  await expect(model).toContainText('124 M');
  await page.getByRole('region', { name: 'Model' }).screenshot({ path: info.outputPath('model-dropped.png') });
});
