import { expose } from 'comlink';
import { describe, expect, it } from 'vitest';
import { CancelledError, WorkerCrashError, createWorkerHandle } from './workerHandle.ts';

interface SlowApi { echo(x: number): Promise<number>; never(): Promise<number> }

/** A stand-in Worker: a MessageChannel whose far end exposes the API, with terminate() and an error event. */
function fakeWorkers() {
  const spawned: { port: MessagePort; terminated: boolean }[] = [];
  const spawn = () => {
    const { port1, port2 } = new MessageChannel();
    expose({ echo: async (x: number) => x, never: () => new Promise<number>(() => undefined) } satisfies SlowApi, port2);
    const entry = { port: port1, terminated: false };
    spawned.push(entry);
    return Object.assign(port1, { terminate: () => { entry.terminated = true; port1.close(); port2.close(); } }) as unknown as Worker;
  };
  return { spawn, spawned };
}

describe('worker handle', () => {
  it('runs calls on the worker', async () => {
    const { spawn } = fakeWorkers();
    const h = createWorkerHandle<SlowApi>(spawn, () => undefined);
    await expect(h.run((api) => api.echo(42))).resolves.toBe(42);
    h.dispose();
  });
  it('cancel rejects the call in flight at once and starts a fresh worker', async () => {
    const { spawn, spawned } = fakeWorkers();
    const h = createWorkerHandle<SlowApi>(spawn, () => undefined);
    const pending = h.run((api) => api.never());
    h.cancel();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    expect(spawned[0].terminated).toBe(true);
    await expect(h.run((api) => api.echo(7))).resolves.toBe(7);
    expect(spawned).toHaveLength(2);
    h.dispose();
  });
  it('a crash rejects the call with WorkerCrashError, tells the page, and the next call gets a new worker', async () => {
    const { spawn, spawned } = fakeWorkers();
    const crashes: string[] = [];
    const h = createWorkerHandle<SlowApi>(spawn, (m) => crashes.push(m));
    const pending = h.run((api) => api.never());
    const error = Object.assign(new Event('error'), { message: 'out of memory' });
    spawned[0].port.dispatchEvent(error);
    await expect(pending).rejects.toBeInstanceOf(WorkerCrashError);
    expect(crashes).toEqual(['out of memory']);
    await expect(h.run((api) => api.echo(1))).resolves.toBe(1);
    expect(spawned).toHaveLength(2);
    h.dispose();
  });
});
