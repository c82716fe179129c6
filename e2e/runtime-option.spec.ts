import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { formatSeconds } from '../app/format.ts';
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
