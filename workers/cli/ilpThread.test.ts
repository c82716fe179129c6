/**
 * The ILP thread bin/meshplan.mjs starts before it loads the CLI (pool/ilpThread.ts): `plan` takes it into its pool
 * and ends it with the search, a command that does not take it (a baseline, a model not found) ends it too, and so
 * does Ctrl-C. Run in process through the CLI's main(), with a thread started as bin/meshplan.mjs starts it.
 */
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main, setIlpThread } from '../cli.ts';
import { startBundleWorker, type StartedNodeWorker } from '../pool/startBundleWorker.mjs';

async function ilpThread(): Promise<{ thread: StartedNodeWorker; messages: () => number; ended: () => Promise<string> }> {
  const bundle = '../../bin/bundle.mjs';
  const { bundledModule } = (await import(bundle)) as { bundledModule: (entry: URL) => Promise<string | undefined> };
  const url = await bundledModule(new URL('../pool/ilpThread.ts', import.meta.url));
  if (!url) throw new Error('the ILP thread bundle could not be built');
  const thread = startBundleWorker(url);
  let messages = 0;
  thread.worker.on('message', () => messages++);
  const exited = new Promise<string>((r) => (thread.worker as Worker).once('exit', () => r('exited')));
  const ended = (): Promise<string> => Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 5000))]);
  return { thread, messages: () => messages, ended };
}

const TINY = ['--model', 'zoo:gpt-tiny', '--cluster', 'p3.16xlarge:1x4', '--json'];

describe('the CLI\'s ILP thread started by bin/meshplan.mjs', () => {
  afterEach(() => vi.restoreAllMocks());

  it('plan solves its ILPs on it and ends it with the search', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
    const { thread, messages, ended } = await ilpThread();
    setIlpThread(thread);
    expect(await main(['plan', ...TINY])).toBe(0);
    expect(JSON.parse(out.join('')).feasible).toBe(true);
    expect(messages()).toBeGreaterThan(2); // solves answered by that thread
    expect(await ended()).toBe('exited');
  }, 60_000);

  for (const [what, args, code] of [
    ['a model not found', ['plan', '--model', 'zoo:nope', '--cluster', 'p3.16xlarge:1x4', '--json'], 2],
    ['a baseline (no ILP)', ['plan', ...TINY, '--baseline', 'dp'], 0],
    ['a refused option', ['plan', ...TINY, '--microbatches', 'many'], 2],
  ] as const) {
    it(`${what}: the thread is ended when the command is over`, async () => {
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const { thread, ended } = await ilpThread();
      setIlpThread(thread);
      expect(await main([...args])).toBe(code);
      expect(await ended()).toBe('exited');
    }, 60_000);
  }

  it('Ctrl-C: the search is cancelled and the thread ended', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const errors: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => { errors.push(String(s)); return true; });
    const { thread, messages, ended } = await ilpThread();
    setIlpThread(thread);
    const running = main(['plan', '--model', 'zoo:gpt-15B', '--cluster', 'p3.16xlarge:4x8', '--json']);
    while (messages() < 2) await new Promise((r) => setTimeout(r, 10)); // solving
    process.emit('SIGINT');
    expect(await running).toBe(130);
    expect(errors.join('')).toContain('interrupted (Ctrl-C)');
    expect(await ended()).toBe('exited');
  }, 60_000);
});
