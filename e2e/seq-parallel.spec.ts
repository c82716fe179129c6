import { expect, test } from '@playwright/test';
import { presetByLabel } from '../app/cluster/edit.ts';
import { DEFAULT_OPTIONS } from '../app/persist.ts';
import { encodeScenario } from '../app/scenario.ts';
import { waitForPlan } from './helpers.ts';

test('a scenario with CP and SP plans them; the options show them and the Sharding view names each stage\'s choice', async ({ page }, info) => {
  test.setTimeout(300_000);
  const options = { ...DEFAULT_OPTIONS, globalBatch: 8, cp: 2, cpKind: 'ulysses' as const, sp: 'on' as const };
  const scenario = { model: { kind: 'zoo' as const, name: 'gpt-tiny' }, cluster: presetByLabel('p3.16xlarge x1'), options };
  await page.goto(`/#s=${encodeScenario(scenario)}`);
  await waitForPlan(page);
  const sharding = page.getByRole('region', { name: 'Sharding' });
  await expect(sharding.getByLabel('Parallelism of stage 0')).toHaveText(/^(DP \d+ · )?(TP \d+ · )?(SP · )?CP 2 \(ulysses\)( · ZeRO-\d)?$/);
  const cluster = page.getByRole('region', { name: 'Cluster' });
  await expect(cluster.getByLabel('context-parallel degree')).toHaveValue('2');
  await expect(cluster.getByLabel('context-parallel exchange')).toHaveValue('ulysses');
  await expect(cluster.getByLabel('sequence parallel')).toHaveValue('on');
  await sharding.screenshot({ path: info.outputPath('sharding-cp.png') });
  // Back to the search's own choice: the exchange select goes with a forced degree.
  await cluster.getByLabel('context-parallel degree').selectOption('auto');
  await expect(cluster.getByLabel('context-parallel exchange')).toHaveCount(0);
});
