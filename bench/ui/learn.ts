/**
 * The Learn region's knob (run through `npx tsx bench/ui/run.ts --learn [--runs N]`): GPT-39B on p3.16xlarge 8x8,
 * the inter-node bandwidth knob moved to a value not planned before, from the key press until the three plans for
 * it are drawn: wall time and the longest main-thread task in that window (goal <= 100 ms: planning runs in the
 * Learn worker). Medians of N moves (default 3: 21.3 -> 50, -> 200, -> 800 Gbit/s; none a crossover probe value,
 * so none comes from the cache). The crossover probes keep planning in their own worker meanwhile.
 */
import type { Page } from 'playwright-core';
import { median } from './sweep.ts';

const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 3;
/** ArrowRight presses from the previous value to the next stop outside the probes (10, 25, 100, 400, 1600). */
const MOVES: readonly { presses: number; gbit: string }[] = [{ presses: 2, gbit: '50' }, { presses: 2, gbit: '200' }, { presses: 2, gbit: '800' }];

export async function measureLearn(page: Page): Promise<Record<string, unknown>> {
  await page.getByRole('tab', { name: 'Learn' }).click();
  const learn = page.getByRole('region', { name: 'Learn' });
  await learn.getByRole('button', { name: 'GPT: gpt-39B on p3.16xlarge:8x8' }).click();
  await learn.getByTestId('learn-example-text').waitFor({ timeout: 600_000 });
  const knob = learn.getByRole('slider', { name: 'inter-node bandwidth', exact: true });
  const runs: { wallMs: number; tasks: number[] }[] = [];
  for (const move of MOVES.slice(0, RUNS)) {
    await knob.focus();
    const start = await page.evaluate('performance.now()') as number;
    for (let i = 0; i < move.presses; i++) await page.keyboard.press('ArrowRight');
    // The sentence names the new bandwidth once the three plans for it are drawn (polled once a second: the
    // polling itself runs on the main thread being measured).
    await page.waitForFunction(`/over the ${move.gbit}(\\.0)? Gbit\\/s inter-node links/.test(document.querySelector('[data-testid="learn-sentence"]')?.textContent ?? '')`,
      undefined, { timeout: 600_000, polling: 1000 });
    const wallMs = (await page.evaluate('performance.now()') as number) - start;
    const tasks = (await page.evaluate('window.__longTasks') as { start: number; duration: number }[]).filter((t) => t.start >= start);
    runs.push({ wallMs, tasks: tasks.map((t) => Math.round(t.duration)) });
  }
  const longest = runs.map((r) => Math.max(0, ...r.tasks));
  return {
    device: 'Debian Chromium (headless), this machine',
    workers: await page.evaluate('navigator.hardwareConcurrency'),
    scenario: 'gpt-39B on p3.16xlarge:8x8, Learn, inter-node bandwidth knob 21.3 -> 50 -> 200 -> 800 Gbit/s',
    runs: runs.length,
    knobToReplannedMs: Math.round(median(runs.map((r) => r.wallMs))),
    longestTaskDuringReplanMs: Math.round(median(longest)),
    knobToReplannedMsRuns: runs.map((r) => Math.round(r.wallMs)),
    longestTaskDuringReplanMsRuns: longest,
    longTasksPerRun: runs.map((r) => r.tasks),
    goals: { longestTaskDuringReplanMs: 100 },
  };
}
