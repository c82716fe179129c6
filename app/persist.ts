/**
 * Keeping the scenario across reloads (local storage) and reading a shared one from the URL. The storage object is
 * passed in, so tests use a Map-backed stand-in.
 */
import { presetByLabel } from './cluster/edit.ts';
import { decodeScenario, encodeScenario, scenarioFromHashChecked, type Scenario } from './scenario.ts';
import type { ModelGraph } from '../workers/core/ir/types.ts';
import type { PlanOptions } from '../workers/core/plan/types.ts';
import type { Theme } from './store/slices.ts';

const SCENARIO_KEY = 'meshplan.scenario';
const FILE_GRAPH_KEY = 'meshplan.fileGraph';
const THEME_KEY = 'meshplan.theme';
/** Opened files' graphs above this size (JSON characters) are not kept: local storage holds ~5 MB per origin. */
export const MAX_KEPT_GRAPH_CHARS = 4_000_000;

export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export const DEFAULT_OPTIONS: PlanOptions = {
  mode: 'train', globalBatch: 1024, microbatches: 'auto', schedule: '1f1b', remat: 'auto', precision: 'fp16-mixed', layers: 'auto',
};

/** GPT-3 2.6B on one p3.16xlarge (8 x V100), the paper's smallest GPT case on one node. */
export function defaultScenario(): Scenario {
  return { model: { kind: 'zoo', name: 'gpt-2.6B' }, cluster: presetByLabel('p3.16xlarge x1'), options: DEFAULT_OPTIONS };
}

/**
 * Where the page starts: a shared scenario in the URL, else the one kept from last time, else the default. A shared
 * link that fails its checks does not replace the kept scenario; `rejected` says why, for the Errors region.
 */
export function initialScenario(hash: string, storage: KeyValueStorage): { scenario: Scenario; from: 'url' | 'storage' | 'default'; rejected?: string } {
  const shared = scenarioFromHashChecked(hash);
  if (shared?.ok) return { scenario: shared.scenario, from: 'url' };
  const rejected = shared && !shared.ok ? { rejected: shared.reason } : {};
  const kept = storage.getItem(SCENARIO_KEY);
  const decoded = kept ? decodeScenario(kept) : undefined;
  return decoded ? { scenario: decoded, from: 'storage', ...rejected } : { scenario: defaultScenario(), from: 'default', ...rejected };
}

export function saveScenario(storage: KeyValueStorage, s: Scenario): void {
  try {
    storage.setItem(SCENARIO_KEY, encodeScenario(s));
  } catch {
    // Storage full or disabled (private mode): the page keeps working without persistence.
  }
}

/** Keeps an opened file's graph so a reload can show it again; false when it is too large to keep. */
export function saveFileGraph(storage: KeyValueStorage, name: string, graph: ModelGraph): boolean {
  const text = JSON.stringify({ name, graph });
  if (text.length > MAX_KEPT_GRAPH_CHARS) { storage.removeItem(FILE_GRAPH_KEY); return false; }
  try {
    storage.setItem(FILE_GRAPH_KEY, text);
    return true;
  } catch {
    storage.removeItem(FILE_GRAPH_KEY);
    return false;
  }
}

export function loadFileGraph(storage: KeyValueStorage, name: string): ModelGraph | undefined {
  try {
    const kept = JSON.parse(storage.getItem(FILE_GRAPH_KEY) ?? 'null') as { name?: string; graph?: ModelGraph } | null;
    return kept?.name === name && kept.graph ? kept.graph : undefined;
  } catch {
    return undefined;
  }
}

export function loadTheme(storage: KeyValueStorage, prefersDark: boolean): Theme {
  const t = storage.getItem(THEME_KEY);
  return t === 'dark' || t === 'light' ? t : prefersDark ? 'dark' : 'light';
}

export function saveTheme(storage: KeyValueStorage, t: Theme): void {
  try { storage.setItem(THEME_KEY, t); } catch { /* see saveScenario */ }
}
