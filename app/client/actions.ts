/**
 * The page's async actions, as plain functions over the store and the two planner workers: one for models (build,
 * import, inspect) and one for plans, so cancelling a search never touches the loaded model.
 */
import { proxy, transfer, type Remote } from 'comlink';
import { defaultPlanOptions } from '../../workers/core/plan/defaults.ts';
import type { ImportFileResult, InspectResult, PlannerApi } from '../../workers/planner-api.ts';
import type { ModelGraph } from '../../workers/core/ir/types.ts';
import type { PlanOptions, Progress } from '../../workers/core/plan/types.ts';
import { unpackTimeline } from '../../workers/core/schedule/packedTimeline.ts';
import type { GraphLayout } from '../graph/layout.ts';
import type { LayoutApi } from '../graph/layout.worker.ts';
import { sampleUrl } from '../model/samples.ts';
import { loadFileGraph, saveFileGraph, type KeyValueStorage } from '../persist.ts';
import { encodeScenario, sourceLabel, type ModelSource } from '../scenario.ts';
import { alternativesFromJson, alternativesOf } from '../store/alternatives.ts';
import { scenarioOf } from '../store/slices.ts';
import type { AppStore } from '../store/store.ts';
import { CancelledError, WorkerCrashError, type WorkerHandle } from './workerHandle.ts';

export interface Clients {
  readonly model: WorkerHandle<PlannerApi>;
  readonly planner: WorkerHandle<PlannerApi>;
  readonly layout: WorkerHandle<LayoutApi>;
}

export interface Actions {
  /** `initial`: restoring a kept scenario, so its options stay as they were (no batch/mode adoption). */
  loadSource(source: ModelSource, initial?: boolean): Promise<boolean>;
  openFile(file: File): Promise<boolean>;
  /** A cluster file (a measured profile or a Cluster JSON) into the Cluster panel; the fit's notes as the notice. */
  openClusterFile(file: File): Promise<boolean>;
  plan(): Promise<void>;
  cancel(): void;
  /** Names the zoo offers, for the Model panel's picker. */
  zooNames(): Promise<readonly string[]>;
  /** The layer graph of a model, laid out in the layout worker. */
  layoutGraph(graph: ModelGraph): Promise<GraphLayout>;
}

type Loaded = InspectResult | ImportFileResult;

/** The options a model implies (the CLI's defaults, from the same function), keeping the user's schedule unless
 * the mode forces one. */
export function modelDefaults(graph: ModelGraph, current: PlanOptions): Partial<PlanOptions> {
  const d = defaultPlanOptions(graph);
  return {
    mode: d.mode, globalBatch: d.globalBatch, seq: d.seq, precision: d.precision,
    ...(d.mode === 'infer' ? { schedule: 'inference' } : current.schedule === 'inference' ? { schedule: '1f1b' } : {}),
  };
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function whereOf(e: { line?: number; column?: number; node?: string }): string | undefined {
  const parts = [e.line !== undefined ? `line ${e.line}` : '', e.column !== undefined ? `column ${e.column}` : '', e.node ? `node ${e.node}` : ''];
  const s = parts.filter(Boolean).join(', ');
  return s || undefined;
}

export function createActions(store: AppStore, clients: Clients, storage: KeyValueStorage): Actions {
  // Only the newest model request may land: a slow import finishing after a later one must not replace it.
  let modelRequest = 0;
  // Progress messages already queued by a terminated worker still arrive after a cancel: they carry the request
  // they belong to and are dropped once it is no longer current.
  let planRequest = 0;
  const current = { model: () => modelRequest, plan: () => planRequest };

  // Progress comes through its own MessagePort (comlink's proxy), which is not ordered with the port the result
  // comes back on: a run's last progress can land after the run settled and cleared its job. Setting the job again
  // then would leave the progress bar up and Plan disabled for good (seen in Chromium: the second or third re-plan
  // of gpt-tiny stuck at "baseline seeds 1/1" with its plan on screen). Only a job still shown takes progress.
  const progressTo = (kind: 'model' | 'plan', label: string) => {
    const request = current[kind]();
    return proxy((p: Progress) => {
      const s = store.getState();
      if (request === current[kind]() && s.jobs[kind] !== undefined) s.setJob(kind, { kind, label, phase: p.phase, done: p.done, total: p.total });
    });
  };

  async function land(request: number, source: ModelSource, label: string, run: () => Promise<Loaded>, initial = false): Promise<boolean> {
    const s = store.getState();
    s.setJob('model', { kind: 'model', label, phase: 'loading', done: 0, total: 1 });
    try {
      const r = await run();
      if (request !== modelRequest) return false;
      if (!r.ok) {
        const err = 'error' in r ? r.error : { message: r.reason, format: source.kind };
        s.pushError({ what: `Could not load ${label}`, message: err.message, where: whereOf(err) });
        return false;
      }
      s.setModel(source, r.graph, r.summary, 'warnings' in r ? r.warnings : r.graph.warnings ?? []);
      // A newly chosen model brings its own batch, sequence, mode and precision (as the CLI's defaults do); a
      // restored scenario keeps the options it was saved with.
      if (!initial) s.setOptions(modelDefaults(r.graph, store.getState().options));
      return true;
    } catch (e) {
      if (!(e instanceof CancelledError) && !(e instanceof WorkerCrashError)) s.pushError({ what: `Could not load ${label}`, message: message(e) });
      return false;
    } finally {
      if (request === modelRequest) store.getState().setJob('model', undefined);
    }
  }

  const importBytes = (name: string, bytes: Uint8Array, label: string, batch?: number) => (api: Remote<PlannerApi>): Promise<ImportFileResult> =>
    api.importFile(name, transfer(bytes, [bytes.buffer as ArrayBuffer]), batch ? { batch } : {}, progressTo('model', label));

  const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

  async function loadSource(source: ModelSource, initial = false): Promise<boolean> {
    const request = ++modelRequest;
    const label = sourceLabel(source);
    const batch = store.getState().options.globalBatch;
    return land(request, source, label, async () => {
      switch (source.kind) {
        case 'zoo': {
          // Dimension sliders go to the zoo's own generator (an MoE stays GShard-style), not through a config.json.
          const { dims, seq } = source;
          return clients.model.run((api) => api.inspect({ kind: 'zoo', name: source.name, ...(dims ? { dims } : {}), ...(seq !== undefined ? { seq } : {}) }));
        }
        case 'hf':
          return clients.model.run(importBytes('config.json', encode(source.text), label, batch));
        case 'sample': {
          const res = await fetch(sampleUrl(source.file));
          if (!res.ok) return { ok: false, reason: `sample ${source.file}: HTTP ${res.status}` };
          const bytes = new Uint8Array(await res.arrayBuffer());
          return clients.model.run(importBytes(source.file, bytes, label));
        }
        case 'file': {
          const graph = loadFileGraph(storage, source.name);
          if (!graph) return { ok: false, reason: `${source.name} was not kept (too large for local storage); open it again` };
          return clients.model.run((api) => api.inspect({ kind: 'graph', graph }));
        }
      }
    }, initial);
  }

  async function openFile(file: File): Promise<boolean> {
    const request = ++modelRequest;
    const source: ModelSource = { kind: 'file', name: file.name };
    const bytes = new Uint8Array(await file.arrayBuffer());
    const ok = await land(request, source, file.name, () => clients.model.run(importBytes(file.name, bytes, file.name)));
    const graph = store.getState().graph;
    if (ok && graph && !saveFileGraph(storage, file.name, graph)) {
      store.getState().setNotice(`${file.name} is too large to keep across reloads; the scenario will need it opened again.`);
    }
    return ok;
  }

  async function plan(): Promise<void> {
    const s = store.getState();
    const { graph, cluster, options } = s;
    if (!graph) { s.pushError({ what: 'Cannot plan', message: 'no model is loaded' }); return; }
    s.setPlan(undefined);
    s.setNotice(undefined);
    const label = `${graph.name} on ${cluster.name}`;
    const scenarioKey = encodeScenario(scenarioOf(s));
    const request = ++planRequest;
    s.setJob('plan', { kind: 'plan', label, phase: 'starting', done: 0, total: 1 });
    try {
      const r = await clients.planner.run((api) => api.plan(graph, cluster, options, progressTo('plan', label), { packTimeline: true }));
      if (request !== planRequest) return;
      if (!r.ok) { s.setPlanFailure(r.reason); return; }
      const timeline = r.packedTimeline ? unpackTimeline(r.packedTimeline) : r.plan.timeline;
      const alternatives = r.alternativesJson ? alternativesFromJson(r.alternativeSteps ?? [], r.alternativesJson) : alternativesOf(r.alternatives);
      s.setPlan({ ...r.plan, timeline }, { cluster, scenarioKey }, alternatives);
    } catch (e) {
      if (!(e instanceof CancelledError) && !(e instanceof WorkerCrashError)) s.setPlanFailure(message(e));
    } finally {
      if (request === planRequest) store.getState().setJob('plan', undefined);
    }
  }

  function cancel(): void {
    planRequest++;
    clients.planner.cancel();
    store.getState().setJob('plan', undefined);
    store.getState().setNotice('Search cancelled: no plan was produced.');
  }

  async function openClusterFile(file: File): Promise<boolean> {
    const s = store.getState();
    try {
      const text = await file.text();
      const r = await clients.model.run((api) => api.importCluster(text, file.name));
      if (!r.ok) { s.pushError({ what: `Could not use ${file.name} as a cluster`, message: r.reason }); return false; }
      store.getState().editCluster(() => r.cluster);
      store.getState().setNotice(r.notes.length ? `${file.name}: ${r.notes.join('; ')}` : undefined);
      return true;
    } catch (e) {
      if (!(e instanceof CancelledError) && !(e instanceof WorkerCrashError)) s.pushError({ what: `Could not use ${file.name} as a cluster`, message: message(e) });
      return false;
    }
  }

  return { loadSource, openFile, openClusterFile, plan, cancel, zooNames: () => clients.model.run((api) => api.zooNames()),
    layoutGraph: (graph) => clients.layout.run((api) => api.layout({ name: graph.name, ops: graph.ops, tensors: graph.tensors })),
  };
}
