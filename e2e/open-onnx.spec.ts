import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { formatSeconds } from '../app/format.ts';
import { screenshotRegions, shownStageCount, shownStepTime, waitForPlan } from './helpers.ts';

test('opens gpt2-124m.onnx through the file input, plans it, and agrees with the CLI', async ({ page }, info) => {
  await page.goto('/');
  await waitForPlan(page);
  await page.getByLabel('Open model file').setInputFiles('public/models/gpt2-124m.onnx');
  const model = page.getByRole('region', { name: 'Model' });
  await expect(model.getByTestId('model-name')).toHaveText('gpt2-124m');
  await expect(model).toContainText('124 M');
  await page.getByRole('button', { name: 'Plan' }).click();
  await waitForPlan(page);

  const cli = JSON.parse(execFileSync('node', ['bin/meshplan.mjs', 'plan', '--model', 'public/models/gpt2-124m.onnx', '--cluster', 'p3.16xlarge:1x8', '--json'], { encoding: 'utf8' })) as { stepSeconds: number; stages: { logicalMesh: number[] }[] };
  expect(await shownStageCount(page)).toBe(cli.stages.length);
  expect(await shownStepTime(page)).toBe(formatSeconds(cli.stepSeconds));
  // Sharding has one tab per stage, each stage's logical mesh as the CLI chose it.
  await expect(page.getByRole('region', { name: 'Sharding' }).getByRole('tab')).toHaveCount(cli.stages.length);
  await expect(page.getByRole('region', { name: 'Stages' }).getByTestId('logical-mesh')).toHaveText(cli.stages.map((s) => `(${s.logicalMesh[0]}, ${s.logicalMesh[1]})`));
  await expect(page.getByRole('region', { name: 'Timeline' }).getByRole('img')).toHaveAttribute('aria-label', new RegExp(`${cli.stages.length} stages?,`));
  // Click a tensor spec in the operator table: its tiles are drawn over the stage's mesh.
  const sharding = page.getByRole('region', { name: 'Sharding' });
  await sharding.locator('tbody button').first().click();
  await expect(sharding.getByRole('img', { name: /^Tiles of .* over mesh \(\d+, \d+\)$/ })).toBeVisible();
  await page.screenshot({ path: info.outputPath('gpt2-onnx.png'), fullPage: true });
  await screenshotRegions(page, (n) => info.outputPath(n), ['Stages', 'Sharding', 'Timeline']);
});
