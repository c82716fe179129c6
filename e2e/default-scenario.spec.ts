import { expect, test } from '@playwright/test';
import { screenshotRegions } from './helpers.ts';

test('loads the default scenario (GPT-3 2.6B on p3.16xlarge x1), inspects it in a worker and draws a plan', async ({ page }, info) => {
  await page.goto('/');
  const model = page.getByRole('region', { name: 'Model' });
  await expect(model.getByTestId('model-name')).toHaveText('gpt-2.6B');
  await expect(model).toContainText('2.65 B');
  await expect(model).toContainText('17.7 PFLOP');
  await expect(page.getByRole('region', { name: 'Cluster' })).toContainText('p3.16xlarge:1x8');
  // Planned without user action.
  const stages = page.getByRole('region', { name: 'Stages' });
  await expect(stages.getByTestId('stage-count')).toHaveText(/^\d+ stages?$/, { timeout: 90_000 });
  await expect(page.getByRole('region', { name: 'Timeline' }).getByTestId('step-time')).toHaveText(/\d s$/);
  await expect(stages.locator('[data-device]')).toHaveCount(8);
  for (const name of ['Sharding', 'Memory', 'Breakdown', 'Explanation']) {
    await expect(page.getByRole('region', { name })).not.toContainText('No plan yet');
  }
  await expect(page.getByRole('region', { name: 'Errors' })).toHaveCount(0);
  // Each stage's parallelism in one line (DP · TP · SP · CP · ZeRO · EP), and the ZeRO choice in the options (auto by default).
  await expect(page.getByRole('region', { name: 'Sharding' }).getByLabel('Parallelism of stage 0')).toHaveText(/^(DP \d+|TP \d+|one device)( · (TP \d+|SP|CP \d+ \((ring|ulysses)\)|ZeRO-[0-3]))*$/);
  await expect(page.getByLabel('ZeRO')).toHaveValue('auto');
  // The layer graph: collapsed layers, expand one, click an op for its details, search by name.
  const layers = model.getByTestId('layer-graph');
  await expect(layers).toHaveAttribute('data-groups', '34');
  await expect(layers.getByRole('button', { expanded: true })).toHaveCount(0);
  await layers.getByRole('button', { name: /h\.0 – h\.31 ×32 identical/ }).click();
  await layers.getByRole('button', { name: /^▸ h\.3 / }).click();
  await layers.getByRole('img', { name: 'Ops of gpt/h.3' }).locator('g[class*=cursor-pointer]').first().click();
  await expect(model.getByRole('dialog')).toContainText('FLOP');
  await layers.getByLabel('Search ops by name').fill('h.31/mlp');
  await expect(layers.getByRole('list', { name: 'Matching ops' }).getByRole('button').first()).toContainText('h.31/mlp');
  await page.screenshot({ path: info.outputPath('default-scenario.png'), fullPage: true });
  await screenshotRegions(page, (n) => info.outputPath(n), ['Model', 'Stages', 'Timeline', 'Sharding', 'Memory', 'Breakdown', 'Explanation']);
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: info.outputPath('dark-1280.png') });
});

test('exports the plan as JSON, a Chrome trace, and PNG / SVG of a view', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('region', { name: 'Stages' }).getByTestId('stage-count')).toBeVisible({ timeout: 90_000 });
  const exportMenu = page.getByText('Export', { exact: true });
  const grab = async (button: string, view?: string) => {
    await exportMenu.click();
    if (view) await page.getByLabel('View').selectOption(view);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
    await exportMenu.click();
    return download;
  };
  const json = await grab('Plan JSON');
  expect(json.suggestedFilename()).toBe('meshplan-plan.json');
  const trace = await grab('Chrome trace (Perfetto)');
  const traceText = (await (await trace.createReadStream()).toArray()).join('');
  expect(JSON.parse(traceText).traceEvents.length).toBeGreaterThan(10);
  expect((await grab('PNG', 'Timeline')).suggestedFilename()).toBe('meshplan-timeline.png');
  const svg = await grab('SVG', 'Stages');
  expect((await (await svg.createReadStream()).toArray()).join('')).toContain('<svg');
});
