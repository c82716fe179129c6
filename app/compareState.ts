/**
 * Keeping the compared scenarios (Compare's columns: scenario and price per GPU-hour) and the page's view across
 * reloads and in the share URL (`#s=...&c=...`; a URL without `c` is an older one and decodes as before).
 *
 * | key             | URL       | local storage | none |
 * |-----------------|-----------|---------------|------|
 * | compare columns | yes (`c`) | yes           |      |
 * | page view       |           | yes           |      |
 * | column runs     |           |               | yes  |
 */
import type { KeyValueStorage } from './persist.ts';
import { fromBase64Url, scenarioFromObject, toBase64Url } from './scenario.ts';
import type { CompareColumn } from './store/compareSlice.ts';
import { PAGE_VIEWS, type PageView } from './store/slices.ts';

export type KeptColumn = Omit<CompareColumn, 'id'>;

const COLUMNS_KEY = 'meshplan.compare';
const VIEW_KEY = 'meshplan.view';
export const COMPARE_VERSION = 1;

export function encodeColumns(columns: readonly KeptColumn[]): string {
  const kept = columns.map((c) => ({ scenario: c.scenario, ...(c.pricePerGpuHour !== undefined ? { pricePerGpuHour: c.pricePerGpuHour } : {}) }));
  return toBase64Url(JSON.stringify({ v: COMPARE_VERSION, columns: kept }));
}

/** Columns from their encoded form; undefined when malformed (a column that does not decode spoils the set). */
export function decodeColumns(encoded: string): readonly KeptColumn[] | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(fromBase64Url(encoded));
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || (raw as { v?: unknown }).v !== COMPARE_VERSION) return undefined;
  const list = (raw as { columns?: unknown }).columns;
  if (!Array.isArray(list)) return undefined;
  const columns: KeptColumn[] = [];
  for (const c of list) {
    const scenario = scenarioFromObject((c as { scenario?: unknown } | null)?.scenario);
    if (!scenario) return undefined;
    const price = (c as { pricePerGpuHour?: unknown }).pricePerGpuHour;
    columns.push(typeof price === 'number' && Number.isFinite(price) && price >= 0 ? { scenario, pricePerGpuHour: price } : { scenario });
  }
  return columns;
}

/** The `c=` part of a share URL's fragment, for shareUrl's `extra` (nothing when there are no columns). */
export function columnsFragment(columns: readonly KeptColumn[]): Record<string, string> {
  return columns.length > 0 ? { c: encodeColumns(columns) } : {};
}

/** Where Compare starts: columns in the URL, else those kept from last time, else none. */
export function initialColumns(hash: string, storage: KeyValueStorage): { columns: readonly KeptColumn[]; from: 'url' | 'storage' | 'none' } {
  const m = /(?:^#|&)c=([A-Za-z0-9_-]+)/.exec(hash);
  const shared = m ? decodeColumns(m[1]) : undefined;
  if (shared) return { columns: shared, from: 'url' };
  const kept = storage.getItem(COLUMNS_KEY);
  const decoded = kept ? decodeColumns(kept) : undefined;
  return decoded ? { columns: decoded, from: 'storage' } : { columns: [], from: 'none' };
}

export function saveColumns(storage: KeyValueStorage, columns: readonly KeptColumn[]): void {
  try {
    if (columns.length === 0) storage.removeItem(COLUMNS_KEY);
    else storage.setItem(COLUMNS_KEY, encodeColumns(columns));
  } catch {
    // Storage full or disabled: Compare keeps working without persistence.
  }
}

export function loadView(storage: KeyValueStorage): PageView {
  const v = storage.getItem(VIEW_KEY);
  return (PAGE_VIEWS as readonly string[]).includes(v ?? '') ? (v as PageView) : 'plan';
}

export function saveView(storage: KeyValueStorage, v: PageView): void {
  try { storage.setItem(VIEW_KEY, v); } catch { /* see saveColumns */ }
}
