/**
 * A Chrome performance trace of the page's main thread (CDP `Tracing`), read back as tasks: each top-level task's
 * wall time and its thread (CPU) time — a loaded machine stretches the first by descheduling the thread, much less
 * the second — and, for the longest tasks, what ran in them: trace events by self time (script, style, layout,
 * paint, message deserialisation, GC) and the JS functions the sampling profiler saw, by self time.
 * Used by bench/ui (`--trace`) to find what a long task is made of, not to weaken its measure.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';

interface TraceEvent {
  readonly name: string;
  readonly cat: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly id?: string;
  readonly args?: { readonly name?: string; readonly data?: Record<string, unknown> };
}

export interface TaskReport {
  /** Wall ms of the task. */
  readonly wallMs: number;
  /** Main-thread CPU ms of the task (the trace's thread duration). */
  readonly cpuMs: number;
  /** Trace events inside it by self wall ms (e.g. "FunctionCall", "Layout", "V8.GC…"), largest first. */
  readonly events: readonly string[];
  /** JS functions by self time from the sampler (function @ file:line), largest first. */
  readonly functions: readonly string[];
}

export interface TraceSummary {
  /** Main-thread CPU ms of all the page's tasks in the trace (the page's own work, whatever the load). */
  readonly mainThreadCpuMs: number;
  readonly tasksOver50Ms: number;
  readonly longestWallMs: number;
  /** CPU ms of the task with the longest wall time, and the longest CPU ms of any task. */
  readonly longestTaskCpuMs: number;
  readonly longestCpuMs: number;
  readonly longest: readonly TaskReport[];
}

/** Tasks and their timeline events; with `sampler`, also V8's GC events and the JS sampling profiler (costlier). */
const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'v8.execute', 'blink.user_timing'];
const SAMPLER = ['v8', 'disabled-by-default-v8.cpu_profiler'];

export interface Tracer {
  stop(): Promise<TraceSummary>;
}

export async function startTrace(page: Page, sampler = false): Promise<Tracer> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => { for (const v of e.value) events.push(v as unknown as TraceEvent); });
  await cdp.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig: { includedCategories: sampler ? [...CATEGORIES, ...SAMPLER] : CATEGORIES, recordMode: 'recordContinuously' } });
  return {
    async stop() {
      const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
      await cdp.send('Tracing.end');
      await done;
      await cdp.detach();
      // TRACE_DIR=<dir> keeps the raw trace (open it in chrome://tracing or Perfetto).
      if (process.env.TRACE_DIR) writeFileSync(join(process.env.TRACE_DIR, `trace-${Date.now()}.json`), JSON.stringify({ traceEvents: events }));
      return summarize(events);
    },
  };
}

const ms = (us: number): number => Math.round(us / 100) / 10;

/** The renderer main thread that ran the most: the page's (other renderers, e.g. the browser UI's, sit idle). */
function mainThread(events: readonly TraceEvent[]): { pid: number; tid: number } | undefined {
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  let best: { pid: number; tid: number; busy: number } | undefined;
  for (const m of mains) {
    const busy = events.reduce((t, e) => t + (e.pid === m.pid && e.tid === m.tid && e.ph === 'X' ? e.dur ?? 0 : 0), 0);
    if (!best || busy > best.busy) best = { pid: m.pid, tid: m.tid, busy };
  }
  return best;
}

interface Sampled { readonly at: number; readonly label: string }

/** The sampler's samples of the thread, each labelled by its leaf function: the thread's `Profile` event names the
 * profile's id; its `ProfileChunk`s (written from the sampler's own thread) carry that id. */
function samples(events: readonly TraceEvent[], pid: number, tid: number): Sampled[] {
  const profile = events.find((e) => e.name === 'Profile' && e.pid === pid && e.tid === tid);
  if (!profile) return [];
  const nodes = new Map<number, string>();
  const out: Sampled[] = [];
  let t = (profile.args?.data?.startTime as number | undefined) ?? 0;
  for (const e of events) {
    if (e.name !== 'ProfileChunk' || e.pid !== pid || e.id !== profile.id) continue;
    const chunk = e.args?.data?.cpuProfile as { nodes?: { id: number; callFrame: { functionName: string; url?: string; lineNumber?: number; columnNumber?: number } }[]; samples?: number[] } | undefined;
    for (const n of chunk?.nodes ?? []) {
      const f = n.callFrame;
      nodes.set(n.id, `${f.functionName || '(anonymous)'} @ ${(f.url ?? '').split('/').pop() || '(native)'}:${(f.lineNumber ?? -1) + 1}:${(f.columnNumber ?? -1) + 1}`);
    }
    const deltas = (e.args?.data?.timeDeltas as number[] | undefined) ?? [];
    (chunk?.samples ?? []).forEach((id, i) => { t += deltas[i] ?? 0; out.push({ at: t, label: nodes.get(id) ?? `node ${id}` }); });
  }
  return out;
}

function top(weights: Map<string, number>, n: number, unit: (v: number) => string): string[] {
  return [...weights].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${k}: ${unit(v)}`);
}

export function summarize(events: readonly TraceEvent[]): TraceSummary {
  const main = mainThread(events);
  if (!main) return { mainThreadCpuMs: 0, tasksOver50Ms: 0, longestWallMs: 0, longestTaskCpuMs: 0, longestCpuMs: 0, longest: [] };
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const tasks = onMain.filter((e) => e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask');
  // Nested RunTask events (a task inside a task) count once: keep the outermost.
  const outer: TraceEvent[] = [];
  for (const t of tasks) if (!outer.length || t.ts >= outer[outer.length - 1].ts + (outer[outer.length - 1].dur ?? 0)) outer.push(t);
  // The trace's own start (the sampler starting up on the main thread) is not the page's work.
  const tracing = onMain.filter((e) => e.name === 'CpuProfiler::StartProfiling');
  const pageTasks = outer.filter((t) => !tracing.some((e) => e.ts >= t.ts && e.ts <= t.ts + (t.dur ?? 0)));
  const sampled = samples(events, main.pid, main.tid);
  const report = (task: TraceEvent): TaskReport => {
    const end = task.ts + (task.dur ?? 0);
    const inside = onMain.filter((e) => e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= end && e.name !== 'RunTask' && e.name !== 'ThreadControllerImpl::RunTask');
    // Self time: an event's duration less its direct children's.
    const self = new Map<string, number>();
    const stack: TraceEvent[] = [];
    const childTime = new Map<TraceEvent, number>();
    for (const e of inside) {
      while (stack.length && e.ts >= stack[stack.length - 1].ts + (stack[stack.length - 1].dur ?? 0)) stack.pop();
      const parent = stack[stack.length - 1];
      if (parent) childTime.set(parent, (childTime.get(parent) ?? 0) + (e.dur ?? 0));
      stack.push(e);
    }
    for (const e of inside) {
      const data = e.args?.data;
      // Layout names how many layout objects it visited (dirty of total): which subtree was laid out.
      const begin = (e.args as { beginData?: { dirtyObjects?: number; totalObjects?: number } } | undefined)?.beginData;
      const what = e.name === 'FunctionCall' && data ? `FunctionCall ${String(data.functionName || '')} ${String(data.url ?? '').split('/').pop()}`
        : e.name === 'Layout' && begin ? `Layout (${begin.dirtyObjects} of ${begin.totalObjects} objects)` : e.name;
      self.set(what, (self.get(what) ?? 0) + Math.max(0, (e.dur ?? 0) - (childTime.get(e) ?? 0)));
    }
    const fns = new Map<string, number>();
    for (const s of sampled) if (s.at >= task.ts && s.at <= end) fns.set(s.label, (fns.get(s.label) ?? 0) + 1);
    const total = [...fns.values()].reduce((a, b) => a + b, 0);
    return {
      wallMs: ms(task.dur ?? 0), cpuMs: ms(task.tdur ?? task.dur ?? 0),
      events: top(self, 8, (v) => `${ms(v)} ms`),
      functions: top(fns, 10, (v) => `${Math.round((100 * v) / Math.max(1, total))}%`),
    };
  };
  const byWall = [...pageTasks].sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0));
  return {
    mainThreadCpuMs: Math.round(pageTasks.reduce((a, t) => a + (t.tdur ?? 0), 0) / 1000),
    tasksOver50Ms: pageTasks.filter((t) => (t.dur ?? 0) > 50_000).length,
    longestWallMs: ms(byWall[0]?.dur ?? 0),
    longestTaskCpuMs: ms(byWall[0]?.tdur ?? 0),
    longestCpuMs: ms(Math.max(0, ...pageTasks.map((t) => t.tdur ?? 0))),
    longest: byWall.slice(0, 3).map(report),
  };
}
