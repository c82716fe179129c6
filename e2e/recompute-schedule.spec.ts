import { expect, test } from '@playwright/test';
import { presetByLabel, setGpusPerNode } from '../app/cluster/edit.ts';
import { DEFAULT_OPTIONS } from '../app/persist.ts';
import { encodeScenario } from '../app/scenario.ts';
import { waitForPlan } from './helpers.ts';

test("Stages names each stage's recompute (selective picked by the search) and the schedule; the remat option forces full", async ({ page }) => {
  // GPT-760M at seq 2048 on one V100: selective recompute (the attention core's 2·a·s²·b bytes not kept) fits where no
  // recompute does not, and recomputes far less than full (inter/recompute.test.ts). At seq 1024 the megatron runtime's
  // measured activations (fused kernels keep no scores: cost/memory.ts) fit without any recompute.
  const scenario = { model: { kind: 'zoo' as const, name: 'gpt-760M', seq: 2048 }, cluster: setGpusPerNode(presetByLabel('p3.16xlarge x1'), 1), options: { ...DEFAULT_OPTIONS, globalBatch: 2 } };
  await page.goto(`/#s=${encodeScenario(scenario)}`);
  await waitForPlan(page);
  const stages = page.getByRole('region', { name: 'Stages' });
  await expect(stages.getByTestId('recompute')).toHaveText(['selective']);
  await expect(stages.getByTestId('schedule')).toHaveText('1f1b');
  await page.getByLabel('remat').selectOption('on');
  await page.getByRole('button', { name: 'Plan' }).click();
  await expect(stages.getByTestId('recompute')).toHaveText(['full'], { timeout: 60_000 });
});
