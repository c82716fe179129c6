import { expect, test } from '@playwright/test';
import { PLAN_TIMEOUT_MS, waitForPlan } from './helpers.ts';

const LONG_TASKS = `window.__longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration }); })
    .observe({ type: 'longtask', buffered: true });`;

test('Learn on GPT-39B over 8x8 V100: intra-op only far below the combined plan, named for its cross-node traffic; the bandwidth knob re-plans in a worker while the page keeps answering', async ({ page }, info) => {
  test.setTimeout(300_000);
  await page.addInitScript(LONG_TASKS);
  await page.goto('/');
  await waitForPlan(page);
  await page.getByRole('tablist', { name: 'Page section' }).getByRole('tab', { name: 'Learn' }).click();
  const learn = page.getByRole('region', { name: 'Learn' });
  await learn.getByRole('button', { name: 'GPT: gpt-39B on p3.16xlarge:8x8' }).click();
  await expect(page.getByRole('region', { name: 'Cluster' })).toContainText('p3.16xlarge:8x8');
  const example = learn.getByTestId('learn-example-text');
  await expect(example).toContainText('GPT example', { timeout: 2 * PLAN_TIMEOUT_MS });
  const result = learn.getByTestId('learn-result');
  await expect(result).toHaveAttribute('data-state', 'current', { timeout: PLAN_TIMEOUT_MS });

  const step = async (kind: string) => Number(await learn.getByTestId(`learn-step-${kind}`).getAttribute('data-value'));
  const intra = await step('intra-only');
  const combined = await step('combined');
  // "Far below": at least three times the combined plan's step (the paper's Fig. 7 has intra-op only at a fraction).
  expect(intra / combined).toBeGreaterThan(3);
  await expect(learn.getByTestId('learn-reason-intra-only')).toContainText('cross-node communication');
  await expect(learn.getByTestId('learn-sentence')).toContainText(/Intra-op only is [\d.]+x slower \([^)]*\): its communication across nodes/);
  // Its cross-node bytes dwarf the combined plan's.
  const crossBytes = async (kind: string) => Number(await learn.getByTestId(`learn-cross-bytes-${kind}`).getAttribute('data-value'));
  expect(await crossBytes('intra-only')).toBeGreaterThan(await crossBytes('combined'));

  // Every number names its terms, on hover and on keyboard focus.
  const cross = learn.getByTestId('learn-cross-bytes-intra-only');
  await cross.hover();
  await expect(cross.getByRole('tooltip')).toBeVisible();
  await expect(cross.getByRole('tooltip')).toContainText('tensor-parallel collectives');
  await page.mouse.move(0, 0);
  const bubble = learn.getByTestId('learn-bubble-combined');
  await bubble.focus();
  await expect(bubble.getByRole('tooltip')).toBeVisible();
  await expect(bubble.getByRole('tooltip')).toContainText('pipeline bubble');
  await page.screenshot({ path: info.outputPath('learn-gpt39b.png'), fullPage: true });

  // Move the inter-node bandwidth knob two stops (21.3 -> 25 -> 50 Gbit/s; 50 is not among the crossover's probe
  // values, so nothing is cached): Learn re-plans in its worker once the knob rests, and the page keeps answering
  // meanwhile (a plan on the main thread would freeze it for the whole search: seconds). How long its main-thread
  // tasks are is measured by bench/ui (`npx tsx bench/ui/run.ts --learn`: wall and, from a trace, CPU time), not
  // asserted here: on the shared 2-core machine at load 20-30 tasks of 1-8 ms CPU were seen lasting 100-380 ms
  // (the thread descheduled), so a wall-time bound would fail on the load, not on the page.
  const knob = learn.getByRole('slider', { name: 'inter-node bandwidth', exact: true });
  await knob.focus();
  const moved = await page.evaluate('performance.now()') as number;
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(learn.getByTestId('knob-value-inter-gbps')).toHaveText('50 Gbit/s');
  await expect(page.getByRole('region', { name: 'Cluster' }).getByLabel('inter-node (Gbit/s)')).toHaveValue('50');
  await expect(learn.getByRole('progressbar', { name: 'Learn progress' })).toBeVisible();
  // While it plans: a number's terms still show on hover, and the theme still switches.
  const combinedStep = learn.getByTestId('learn-step-combined');
  await combinedStep.hover();
  await expect(combinedStep.getByRole('tooltip')).toBeVisible();
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(page.locator('html')).toHaveClass(/dark/);
  await page.getByRole('button', { name: 'Switch to light theme' }).click();
  // Polled once a second with a cheap check: the test's own polling runs on the main thread.
  await page.waitForFunction(`/over the 50(\\.0)? Gbit\\/s inter-node links/.test(document.querySelector('[data-testid="learn-sentence"]')?.textContent ?? '')`,
    undefined, { timeout: 2 * PLAN_TIMEOUT_MS, polling: 1000 });
  await expect(result).toHaveAttribute('data-state', 'current', { timeout: PLAN_TIMEOUT_MS });
  const tasks = await page.evaluate('window.__longTasks') as { start: number; duration: number }[];
  const during = tasks.filter((t) => t.start >= moved).map((t) => Math.round(t.duration));
  info.annotations.push({ type: 'long tasks after the knob moved (ms)', description: during.join(', ') || 'none' });
  await page.screenshot({ path: info.outputPath('learn-gpt39b-50gbit.png'), fullPage: true });
});
