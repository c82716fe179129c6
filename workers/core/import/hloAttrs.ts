/** Helpers shared by the HLO converter and its custom-call / collective readers: types and attribute lists. */
import type { HloType } from './hloParse.ts';

const ELEM: Readonly<Record<string, string>> = {
  pred: 'i1', s4: 'i4', s8: 'i8', s16: 'i16', s32: 'i32', s64: 'i64', u4: 'ui4', u8: 'ui8', u16: 'ui16', u32: 'ui32', u64: 'ui64',
  f16: 'f16', bf16: 'bf16', f32: 'f32', f64: 'f64', c64: 'complex', c128: 'complex', token: 'i1',
};
export const leavesOf = (t: HloType): Extract<HloType, { kind: 'array' }>[] => (t.kind === 'array' ? [t] : t.elems.flatMap(leavesOf));
export const tensorType = (t: Extract<HloType, { kind: 'array' }>): string => {
  const elem = ELEM[t.elem] ?? (t.elem.startsWith('f8') ? 'f8' : t.elem);
  return `tensor<${[...t.dims.map(String), elem].join('x')}>`;
};
export const listOf = (v: string | undefined): number[] => (v ? [...v.matchAll(/-?\d+/g)].map((m) => Number(m[0])) : []);
export const bracket = (xs: readonly (number | string)[]) => `[${xs.join(', ')}]`;

/** `window={size=3x3 stride=2x2 pad=1_1x1_1 rhs_dilate=1x1}` -> its fields as lists. */
export function windowOf(attr: string | undefined): { size: number[]; stride?: number[]; pad?: [number, number][]; lhsDilate?: number[]; rhsDilate?: number[] } {
  const fields = new Map((attr ?? '').replace(/^\{|\}$/g, '').trim().split(/\s+/).filter(Boolean).map((f) => f.split('=') as [string, string]));
  const xs = (k: string) => (fields.has(k) ? fields.get(k)!.split('x').map(Number) : undefined);
  const pad = fields.get('pad')?.split('x').map((p) => { const [lo, hi] = listOf(p); return [lo ?? 0, hi ?? 0] as [number, number]; });
  return { size: xs('size') ?? [], ...(xs('stride') ? { stride: xs('stride')! } : {}), ...(pad ? { pad } : {}), ...(xs('lhs_dilate') ? { lhsDilate: xs('lhs_dilate')! } : {}), ...(xs('rhs_dilate') ? { rhsDilate: xs('rhs_dilate')! } : {}) };
}

/** The StableHLO text of a convolution from HLO's window / dim_labels / feature_group_count. */
export function convText(attrs: ReadonlyMap<string, string>): string {
  const labels = (attrs.get('dim_labels') ?? 'b01f_01io->b01f').split('->');
  const [lhs, rhs] = (labels[0] ?? '').split('_');
  const w = windowOf(attrs.get('window'));
  const n = w.size.length;
  const spell = (l: string | undefined) => bracket([...(l ?? '')]);
  return `dim_numbers = ${spell(lhs)}x${spell(rhs)}->${spell(labels[1])}, window = {stride = ${bracket(w.stride ?? w.size.map(() => 1))}, `
    + `pad = [${(w.pad ?? Array.from({ length: n }, () => [0, 0])).map((p) => bracket(p)).join(', ')}], lhs_dilate = ${bracket(w.lhsDilate ?? w.size.map(() => 1))}, rhs_dilate = ${bracket(w.rhsDilate ?? w.size.map(() => 1))}} `
    + `feature_group_count = ${listOf(attrs.get('feature_group_count'))[0] ?? 1}`;
}

