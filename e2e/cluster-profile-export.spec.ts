import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { waitForPlan } from './helpers.ts';

test('a measured profile opened in the Cluster panel plans on the profiled GPU; the Export menu gives a JAX script and Megatron-LM arguments', async ({ page }, info) => {
  await page.goto('/');
  await waitForPlan(page);
  const cluster = page.getByRole('region', { name: 'Cluster' });
  await cluster.getByLabel('Open cluster or profile file').setInputFiles('bench/bridge/h100x1-calibration-profile.json');
  await expect(cluster).toContainText('H100-SXM (profiled) · 1 GPUs');
  await expect(page.getByText(/collective curves absent .*link figures are kept/)).toBeVisible();
  await expect(cluster.getByLabel('GPU type of node 0')).toHaveValue('H100-SXM (profiled)');
  await page.getByRole('button', { name: 'Plan' }).click();
  await waitForPlan(page);
  await cluster.screenshot({ path: info.outputPath('cluster-profiled.png') });

  await page.getByText('Export', { exact: true }).click();
  const [jax] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'JAX script' }).click()]);
  expect(jax.suggestedFilename()).toBe('meshplan-train.py');
  const script = readFileSync(await jax.path(), 'utf8');
  expect(script).toContain("PLAN = json.loads(r'''");
  expect(script).toContain('"devices":[0],"mesh":[1,1]');
  const [megatron] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Megatron-LM arguments' }).click()]);
  expect(megatron.suggestedFilename()).toBe('meshplan-megatron-args.txt');
  expect(readFileSync(await megatron.path(), 'utf8')).toMatch(/--tensor-model-parallel-size 1 --pipeline-model-parallel-size 1 /);
});

test('a file that is neither a cluster nor a profile is refused with its name and why', async ({ page }) => {
  await page.goto('/');
  await waitForPlan(page);
  await page.getByLabel('Open cluster or profile file').setInputFiles({ name: 'cluster.json', mimeType: 'application/json', buffer: Buffer.from('{"gpus": 8}') });
  const errors = page.getByRole('region', { name: 'Errors' });
  await expect(errors).toContainText('Could not use cluster.json as a cluster');
  await expect(errors).toContainText('neither a cluster profile');
});
