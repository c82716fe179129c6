import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { formatSeconds } from '../app/format.ts';
import { presetByLabel } from '../app/cluster/edit.ts';
import { DEFAULT_OPTIONS } from '../app/persist.ts';
import { encodeScenario } from '../app/scenario.ts';
import type { Runtime } from '../workers/core/plan/types.ts';
import { shownStepTime, waitForPlan } from './helpers.ts';

test('the runtime option (xla) re-plans with what JAX/XLA adds, agreeing with the CLI', async ({ page }, info) => {
  await page.goto('/');
  await waitForPlan(page);
  const cli = (runtime: string) => JSON.parse(execFileSync('node', ['bin/meshplan.mjs', 'plan', '--model', 'zoo:gpt-2.6B',
    '--cluster', 'p3.16xlarge:1x8', '--runtime', runtime, '--json'], { encoding: 'utf8' })) as { stepSeconds: number };
  expect(await shownStepTime(page)).toBe(formatSeconds(cli('megatron').stepSeconds));
  await page.getByRole('region', { name: 'Cluster' }).getByLabel('runtime').selectOption('xla');
  await page.getByRole('button', { name: 'Plan' }).click();
  const xla = formatSeconds(cli('xla').stepSeconds);
  await expect.poll(() => shownStepTime(page), { timeout: 60_000 }).toBe(xla);
  await page.getByRole('region', { name: 'Breakdown' }).screenshot({ path: info.outputPath('breakdown-xla.png') });
});

test('a shared scenario with an unknown runtime says which option is wrong, and a valid choice plans', async ({ page }) => {
  const scenario = { model: { kind: 'zoo' as const, name: 'gpt-tiny' }, cluster: presetByLabel('p3.16xlarge x1'), options: { ...DEFAULT_OPTIONS, globalBatch: 8, runtime: 'tpu' as Runtime } };
  await page.goto(`/#s=${encodeScenario(scenario)}`);
  await expect(page.getByText("runtime must be one of megatron|xla, got 'tpu'")).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('region', { name: 'Model' }).getByTestId('model-name')).toHaveText('gpt-tiny');
  await page.getByRole('region', { name: 'Cluster' }).getByLabel('runtime').selectOption('xla');
  await page.getByRole('button', { name: 'Plan' }).click();
  await waitForPlan(page);
  await expect(page.getByText('runtime must be one of')).toHaveCount(0);
});
