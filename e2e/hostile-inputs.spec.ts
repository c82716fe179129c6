import { expect, test } from '@playwright/test';
import { waitForPlan } from './helpers.ts';

/** Issue 17 through the page: a bad share link, a bad model file, a bad cluster file each leave the page usable, the
 * scenario kept, and one clear message in Errors. */

const link = { bandwidthBytesPerSecond: 1e11, latencySeconds: 1e-5 };
const b64url = (s: string) => Buffer.from(s).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

test('a share link with a prototype-named GPU and a 1e308 latency: the kept scenario stays, Errors says why', async ({ page }, info) => {
  await page.goto('/');
  await waitForPlan(page);
  await page.getByLabel('Zoo model').selectOption('gpt-1.3B');
  await expect(page.getByRole('region', { name: 'Model' }).getByTestId('model-name')).toHaveText('gpt-1.3B');
  const bad = { v: 1, model: { kind: 'zoo', name: 'gpt-350M' }, options: { mode: 'train', globalBatch: 1024, microbatches: 'auto', schedule: '1f1b', remat: 'auto', precision: 'fp16-mixed', layers: 'auto' },
    cluster: { name: 'evil\u0000', nodes: [{ gpu: '__proto__', gpus: 8 }], intraNode: { ...link, latencySeconds: 1e308 }, interNode: link } };
  const other = await page.context().newPage();
  await other.goto(`/#s=${b64url(JSON.stringify(bad))}`);
  const errors = other.getByRole('region', { name: 'Errors' });
  await expect(errors).toContainText('Could not open the shared link');
  await expect(errors).toContainText("cluster: node 0: unknown GPU type '__proto__'");
  await expect(errors).toContainText('intraNode.latencySeconds must be a number in [0, 1]');
  await expect(other.getByRole('region', { name: 'Model' }).getByTestId('model-name')).toHaveText('gpt-1.3B');
  await waitForPlan(other);
  await errors.screenshot({ path: info.outputPath('share-link-errors.png') });
});

test('a StableHLO file with a 1e20 dimension: refused naming the tensor, the model kept', async ({ page }) => {
  await page.goto('/');
  await waitForPlan(page);
  const d = '100000000000000000000';
  const mlir = `module @m {\n  func.func public @main(%arg0: tensor<${d}x4xf32>, %arg1: tensor<4x4xf32>) -> tensor<${d}x4xf32> {\n` +
    `    %0 = stablehlo.dot_general %arg0, %arg1, contracting_dims = [1] x [0] : (tensor<${d}x4xf32>, tensor<4x4xf32>) -> tensor<${d}x4xf32>\n` +
    `    return %0 : tensor<${d}x4xf32>\n  }\n}\n`;
  await page.getByLabel('Open model file').setInputFiles({ name: 'huge.mlir', mimeType: 'text/plain', buffer: Buffer.from(mlir) });
  const errors = page.getByRole('region', { name: 'Errors' });
  await expect(errors).toContainText('Could not load huge.mlir');
  await expect(errors).toContainText("tensor '%arg0' has dimension 100000000000000000000 at axis 0");
  await expect(page.getByRole('region', { name: 'Model' }).getByTestId('model-name')).toHaveText('gpt-2.6B');
  await expect(page.getByRole('region', { name: 'Stages' }).getByTestId('stage-count')).toBeVisible();
});

test('a cluster file of 100,000 nodes named constructor: one short message, the cluster kept', async ({ page }) => {
  await page.goto('/');
  await waitForPlan(page);
  const cluster = page.getByRole('region', { name: 'Cluster' });
  await expect(cluster).toContainText('p3.16xlarge:1x8');
  const nodes = Array.from({ length: 100_000 }, () => ({ gpu: 'constructor', gpus: 8 }));
  await page.getByLabel('Open cluster or profile file').setInputFiles({ name: 'huge.json', mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ name: 'huge', nodes, intraNode: link, interNode: link })) });
  const errors = page.getByRole('region', { name: 'Errors' });
  await expect(errors).toContainText('Could not use huge.json as a cluster');
  await expect(errors).toContainText('nodes: at most 2,048 nodes (the planner is sized for clusters of up to 2,048 nodes)');
  expect((await errors.textContent())!.length).toBeLessThan(600);
  await expect(cluster).toContainText('p3.16xlarge:1x8');
  await page.getByRole('button', { name: 'Plan' }).click();
  await waitForPlan(page);
});

test('1e400 typed in the inter-node bandwidth field: said to be out of range naming the field, the cluster kept', async ({ page }) => {
  await page.goto('/');
  await waitForPlan(page);
  const panel = page.getByRole('region', { name: 'Cluster' });
  const field = panel.getByLabel('inter-node (Gbit/s)');
  await expect(field).toHaveValue('21.3');
  await field.fill('1e400');
  await expect(panel.getByRole('alert')).toHaveText(/^inter-node \(Gbit\/s\): 1e400 Gbit\/s is out of range; it must be between 0\.008 and 8,000,000 Gbit\/s/);
  await expect(field).toHaveValue('1e400');
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(panel).not.toContainText('Infinity');
  // The scenario kept its bandwidth: the Learn knob reads it.
  await page.getByRole('tablist', { name: 'Page section' }).getByRole('tab', { name: 'Learn' }).click();
  await expect(page.getByRole('region', { name: 'Learn' }).getByTestId('knob-value-inter-gbps')).toHaveText('21.3 Gbit/s');
  // A usable value clears the message and is applied.
  await field.fill('100');
  await expect(panel.getByRole('alert')).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Learn' }).getByTestId('knob-value-inter-gbps')).toHaveText('100 Gbit/s');
});
