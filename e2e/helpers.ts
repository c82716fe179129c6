/** Shared steps of the e2e specs: wait for the first-load plan, read what the plan views show. */
import { expect, type Page } from '@playwright/test';

export const PLAN_TIMEOUT_MS = 120_000;

/** Waits until the plan views show a plan (the stage count in "Stages"). */
export async function waitForPlan(page: Page): Promise<void> {
  await expect(page.getByRole('region', { name: 'Stages' }).getByTestId('stage-count')).toHaveText(/^\d+ stages?$/, { timeout: PLAN_TIMEOUT_MS });
}

export async function shownStageCount(page: Page): Promise<number> {
  const text = await page.getByRole('region', { name: 'Stages' }).getByTestId('stage-count').textContent();
  return Number(/^(\d+)/.exec(text ?? '')?.[1]);
}

export async function shownStepTime(page: Page): Promise<string> {
  return (await page.getByRole('region', { name: 'Timeline' }).getByTestId('step-time').textContent()) ?? '';
}

/** Screenshots every named region that is present, as test artifacts. */
export async function screenshotRegions(page: Page, path: (name: string) => string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const region = page.getByRole('region', { name });
    if (await region.count()) await region.screenshot({ path: path(`${name.toLowerCase()}.png`) });
  }
}
