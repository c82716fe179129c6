import { expect, test, type Page } from '@playwright/test';
import { PLAN_TIMEOUT_MS, shownStageCount, waitForPlan } from './helpers.ts';

// Issue 14's page must-show, driven as a user would: pick a model and a cluster, set the schedule, ZeRO, SP, CP and
// EP in the Training options, press Plan, then read what the Timeline drew and what the Sharding view names per
// stage. GPT-1.3B and MoE-380M on one p3.16xlarge (8 V100s), global batch 32 in 8 micro-batches: each plans in
// seconds and splits into stages on 8 GPUs.

const MICROBATCHES = 8;

interface Drawn { forward: number; backward: number; weightGradient: number; send: number; chunks: number[] }

async function pickScenario(page: Page, model: string, globalBatch = 32): Promise<void> {
  await page.goto('/');
  await waitForPlan(page);
  await page.getByLabel('Zoo model').selectOption(model);
  await expect(page.getByTestId('model-name')).toHaveText(new RegExp(model.replace('.', '\\.')), { timeout: PLAN_TIMEOUT_MS });
  await page.getByLabel('Cluster preset').selectOption('p3.16xlarge x1');
  await page.getByLabel('global batch').fill(String(globalBatch));
  await page.getByLabel('micro-batch mode').selectOption('fixed');
  await page.getByLabel('micro-batches', { exact: true }).fill(String(MICROBATCHES));
}

async function plan(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Plan' }).click();
  await waitForPlan(page);
  await expect(page.getByRole('region', { name: 'Stages' })).toContainText(`${MICROBATCHES} micro-batches`);
}

/** What the Timeline's last draw put on its canvas (at zoom 1: every event). */
async function drawn(page: Page): Promise<Drawn> {
  const canvas = page.getByRole('region', { name: 'Timeline' }).getByRole('img', { name: /^Pipeline timeline/ });
  await expect(canvas).toHaveAttribute('data-drawn', /forward/);
  return JSON.parse((await canvas.getAttribute('data-drawn'))!) as Drawn;
}

/** The hover descriptions met moving the pointer along stage 0's row of the Timeline. */
async function hoverRow0(page: Page): Promise<Set<string>> {
  const timeline = page.getByRole('region', { name: 'Timeline' });
  const box = (await timeline.getByRole('img', { name: /^Pipeline timeline/ }).boundingBox())!;
  const seen = new Set<string>();
  for (let x = box.x + 66; x < box.x + box.width - 8; x += 3) {
    await page.mouse.move(x, box.y + 13);
    const text = (await timeline.locator('p[aria-live="polite"]').textContent())?.trim();
    if (text) seen.add(text);
  }
  return seen;
}

/** A region's screenshot in the light and the dark theme, for a person to read. */
async function shoot(page: Page, region: string, path: (name: string) => string, name: string): Promise<void> {
  for (const theme of ['dark', 'light'] as const) {
    const toggle = page.getByRole('button', { name: `Switch to ${theme} theme` });
    if (await toggle.count()) await toggle.click();
    await page.getByRole('region', { name: region }).screenshot({ path: path(`${name}-${theme}.png`) });
  }
}

/** Each stage's logical mesh from the Stages table, "(2, 4)" -> [2, 4]. */
async function meshes(page: Page): Promise<[number, number][]> {
  const cells = await page.getByRole('region', { name: 'Stages' }).getByTestId('logical-mesh').allTextContents();
  return cells.map((c) => c.replace(/[()\s]/g, '').split(',').map(Number) as [number, number]);
}

/** The Sharding view's parallelism line of every stage (clicking each stage's tab); each tab shows the same line. */
async function stageLabels(page: Page, stages: number): Promise<string[]> {
  const sharding = page.getByRole('region', { name: 'Sharding' });
  const out: string[] = [];
  for (let s = 0; s < stages; s++) {
    await sharding.getByRole('tablist', { name: 'Stage' }).getByRole('tab').nth(s).click();
    out.push((await sharding.getByLabel(`Parallelism of stage ${s}`).textContent()) ?? '');
  }
  expect(await sharding.getByTestId('tab-parallelism').allTextContents()).toEqual(out);
  return out;
}

test('interleaved 1F1B: the Timeline draws S x B x v forward and backward chunks, each chunk of each device', async ({ page }, info) => {
  test.setTimeout(300_000);
  await pickScenario(page, 'gpt-1.3B');
  await page.getByLabel('schedule', { exact: true }).selectOption('interleaved');
  await plan(page);
  const stages = page.getByRole('region', { name: 'Stages' });
  const v = Number(/^interleaved \(v = (\d+) chunks per device\)$/.exec((await stages.getByTestId('schedule').textContent()) ?? '')?.[1]);
  const S = await shownStageCount(page);
  expect(v).toBeGreaterThan(1);
  expect(S).toBeGreaterThan(1);
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await expect(timeline.getByTestId('timeline-schedule')).toHaveText(`interleaved 1F1B, ${v} chunks per device`);
  // Every (stage, micro-batch, chunk) runs one forward and one backward; all are on the canvas at zoom 1.
  const n = S * MICROBATCHES * v;
  await expect(timeline.getByTestId('event-tally')).toContainText(`${n} forward, ${n} backward, `);
  const d = await drawn(page);
  expect([d.forward, d.backward, d.weightGradient]).toEqual([n, n, 0]);
  expect(d.chunks).toEqual([...Array(v).keys()]);
  // The pointer over stage 0's row names chunks other than the first: a user can tell the virtual stages apart.
  const seen = [...await hoverRow0(page)];
  expect(seen.some((t) => /^stage 0 · chunk [1-9]\d* · forward · micro-batch \d+/.test(t))).toBe(true);
  expect(seen.some((t) => /^stage 0 · chunk 0 · backward · micro-batch \d+/.test(t))).toBe(true);
  await shoot(page, 'Timeline', (n) => info.outputPath(n), 'timeline-interleaved');
});

test('ZB-H1 with ZeRO-1 and SP forced: W passes drawn apart, and every stage names ZeRO-1 (and SP where TP > 1)', async ({ page }, info) => {
  test.setTimeout(300_000);
  // GPT-2.6B at a global batch of 16 on 8 V100s: ZB-H1 holds min(S, B) micro-batches (1F1B's first stage); the search
  // picks data-parallel stages (ZeRO-1 shows) beside tensor-parallel ones (SP shows): 1x2 / 2x2 / 2x1 (CLI, this
  // session's measured activation memory; at a batch of 32 it now fits on two data-parallel stages alone).
  await pickScenario(page, 'gpt-2.6B', 16);
  await page.getByLabel('schedule', { exact: true }).selectOption('zb-h1');
  await page.getByLabel('ZeRO', { exact: true }).selectOption('1');
  await page.getByLabel('sequence parallel').selectOption('on');
  await plan(page);
  const S = await shownStageCount(page);
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await expect(timeline.getByTestId('timeline-schedule')).toHaveText('zero-bubble ZB-H1');
  // Each micro-batch's backward on each stage splits into the input gradient (B) and the weight gradient (W).
  const n = S * MICROBATCHES;
  await expect(timeline.getByTestId('event-tally')).toContainText(`${n} forward, ${n} backward, ${n} weight-gradient (W), `);
  const d = await drawn(page);
  expect([d.forward, d.backward, d.weightGradient, d.chunks.length]).toEqual([n, n, n, 0]);
  expect([...await hoverRow0(page)].some((t) => /^stage 0 · backward, weight gradient \(W\) · micro-batch \d+/.test(t))).toBe(true);

  const mesh = await meshes(page);
  const labels = await stageLabels(page, S);
  const expected = mesh.map(([dp, tp]) => [dp > 1 && `DP ${dp}`, tp > 1 && `TP ${tp}`, tp > 1 && 'SP', dp > 1 && 'ZeRO-1'].filter(Boolean).join(' · ') || 'one device');
  expect(labels).toEqual(expected);
  // Not vacuous: the plan has a data-parallel stage (ZeRO-1 shown) and a tensor-parallel one (SP shown).
  expect(labels.some((l) => l.includes('ZeRO-1'))).toBe(true);
  expect(labels.some((l) => l.includes('SP'))).toBe(true);
  await shoot(page, 'Timeline', (n) => info.outputPath(n), 'timeline-zb-h1');
  await shoot(page, 'Sharding', (n) => info.outputPath(n), 'sharding-zero-sp');
});

test('MoE with EP 4, ZeRO-2 and ring CP 2 forced: every stage names them with their sizes; a bad EP is refused', async ({ page }, info) => {
  test.setTimeout(300_000);
  await pickScenario(page, 'moe-380M');
  const cluster = page.getByRole('region', { name: 'Cluster' });
  const ep = cluster.getByLabel('expert parallel');
  await ep.fill('99');
  await expect(cluster.getByRole('alert')).toHaveText(/^expert parallel: 99 is out of range; it must be a whole number from 1 to \d+ \(the model's experts\), or auto$/);
  await ep.fill('4');
  await expect(cluster.getByRole('alert')).toHaveCount(0);
  await page.getByLabel('ZeRO', { exact: true }).selectOption('2');
  await cluster.getByLabel('context-parallel degree').selectOption('2');
  await cluster.getByLabel('context-parallel exchange').selectOption('ring');
  await plan(page);
  const S = await shownStageCount(page);
  const mesh = await meshes(page);
  const labels = await stageLabels(page, S);
  // Mesh axis 0 is dp x cp; the experts are spread over 4 devices of it.
  expect(labels).toEqual(mesh.map(([axis0, tp]) => [axis0 > 2 && `DP ${axis0 / 2}`, tp > 1 && `TP ${tp}`, 'CP 2 (ring)', 'ZeRO-2', 'EP 4'].filter(Boolean).join(' · ')));
  await shoot(page, 'Sharding', (n) => info.outputPath(n), 'sharding-moe');
  // A micro-batch count that does not divide the batch is refused where it was typed, and nothing is applied.
  await page.getByLabel('micro-batches', { exact: true }).fill('7');
  await expect(cluster.getByRole('alert')).toHaveText('micro-batches: 7 does not divide the global batch 32');
  await expect(page.getByRole('region', { name: 'Stages' })).toContainText(`${MICROBATCHES} micro-batches`);
});

test('ZB-V: the Timeline draws both chunks of every device in a V, with F, B and W passes', async ({ page }, info) => {
  test.setTimeout(300_000);
  await pickScenario(page, 'gpt-1.3B');
  await page.getByLabel('schedule', { exact: true }).selectOption('zb-v');
  await plan(page);
  const S = await shownStageCount(page);
  expect(S).toBeGreaterThan(1);
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await expect(timeline.getByTestId('timeline-schedule')).toHaveText('zero-bubble ZB-V, 2 chunks per device in a V');
  // Every (device, chunk, micro-batch) runs one F, one B and one W.
  const n = 2 * S * MICROBATCHES;
  await expect(timeline.getByTestId('event-tally')).toContainText(`${n} forward, ${n} backward, ${n} weight-gradient (W), `);
  const d = await drawn(page);
  expect([d.forward, d.backward, d.weightGradient]).toEqual([n, n, n]);
  expect(d.chunks).toEqual([0, 1]);
  // The pointer over stage 0's row meets the V's way back up (chunk 1: the loss is on device 0) and W passes.
  const seen = [...await hoverRow0(page)];
  expect(seen.some((t) => /^stage 0 · chunk 1 · forward · micro-batch \d+/.test(t))).toBe(true);
  expect(seen.some((t) => /^stage 0 · chunk [01] · backward, weight gradient \(W\) · micro-batch \d+/.test(t))).toBe(true);
  await shoot(page, 'Timeline', (name) => info.outputPath(name), 'timeline-zb-v');
});
