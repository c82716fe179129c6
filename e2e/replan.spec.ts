import { expect, test, type Page } from '@playwright/test';
import { presetByLabel } from '../app/cluster/edit.ts';
import { DEFAULT_OPTIONS } from '../app/persist.ts';
import { encodeScenario } from '../app/scenario.ts';
import { waitForPlan } from './helpers.ts';

// Regression (issue: "re-planning a second time can stay stuck"): a run's last progress message comes through its
// own MessagePort and could land after the result, setting the finished job again, so the progress bar stayed at
// "baseline seeds 1/1" with the plan on screen and Plan disabled for good. Here a small scenario (about 0.5 s a
// plan) is planned again and again, switching the context-parallel exchange between plans, and once cancelled
// mid-search: every plan must land AND give Plan back.

const planButton = (page: Page) => page.getByRole('button', { name: 'Plan' });
const progress = (page: Page) => page.getByRole('progressbar', { name: 'Plan progress' });

async function planAndSettle(page: Page): Promise<void> {
  await planButton(page).click();
  await waitForPlan(page);
  // The plan on screen means the job is over (the result clears it in the same task): no progress bar, and Plan is
  // back. Before the fix it stayed disabled forever.
  await expect(progress(page)).toHaveCount(0);
  await expect(planButton(page)).toBeEnabled();
}

test('planning again after changing an option, many times and after a cancel, always completes', async ({ page }) => {
  test.setTimeout(600_000);
  const options = { ...DEFAULT_OPTIONS, globalBatch: 8, cp: 2, cpKind: 'ring' as const, sp: 'on' as const };
  const scenario = { model: { kind: 'zoo' as const, name: 'gpt-tiny' }, cluster: presetByLabel('p3.16xlarge x1'), options };
  await page.goto(`/#s=${encodeScenario(scenario)}`);
  await waitForPlan(page);
  // The page's own first plan also gives Plan back.
  await expect(planButton(page)).toBeEnabled();
  const exchange = page.getByRole('region', { name: 'Cluster' }).getByLabel('context-parallel exchange');
  for (let i = 0; i < 8; i++) {
    const kind = i % 2 === 0 ? 'ulysses' : 'ring';
    await exchange.selectOption(kind);
    await planAndSettle(page);
    await expect(page.getByRole('region', { name: 'Sharding' }).getByLabel('Parallelism of stage 0')).toContainText(`CP 2 (${kind})`);
  }

  // Cancel mid-search: Plan and then Cancel are clicked within one task of the page, waiting only on microtasks for
  // React to enable Cancel. The plan's result is a message, which cannot be handled before the task ends, so the
  // search is certainly still running when it is cancelled.
  await exchange.selectOption('ulysses');
  const cancelledRunning = await page.evaluate(async () => {
    const button = (name: string) => [...document.querySelectorAll('button')].find((b) => b.textContent === name)!;
    button('Plan').click();
    for (let i = 0; i < 10_000 && button('Cancel').disabled; i++) await Promise.resolve();
    const running = !button('Cancel').disabled && document.querySelector('[aria-label="Plan progress"]') !== null;
    button('Cancel').click();
    return running;
  });
  expect(cancelledRunning).toBe(true);
  await expect(page.getByRole('status')).toContainText('Search cancelled');
  await expect(progress(page)).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Stages' })).toContainText('No plan yet');
  await planAndSettle(page);
  await expect(page.getByRole('region', { name: 'Sharding' }).getByLabel('Parallelism of stage 0')).toContainText('CP 2 (ulysses)');
});
