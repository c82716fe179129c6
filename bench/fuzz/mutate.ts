/** Seeded mutations of model files: byte-level for every format, plus line/token edits for text and value edits for JSON. */

/** mulberry32: small, fast, seeded; enough for fuzzing. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x08, 0x12, 0x0a];

export function mutateBytes(data: Uint8Array, r: Rand, donor?: Uint8Array): Uint8Array {
  const n = data.length;
  switch (int(r, 7)) {
    case 0: { // flip a few bits
      const out = data.slice();
      for (let k = 1 + int(r, 8); k > 0 && n; k--) out[int(r, n)]! ^= 1 << int(r, 8);
      return out;
    }
    case 1: { // interesting bytes (protobuf varints, tags)
      const out = data.slice();
      for (let k = 1 + int(r, 4); k > 0 && n; k--) out[int(r, n)] = pick(r, INTERESTING);
      return out;
    }
    case 2: return data.slice(0, int(r, n + 1)); // truncate
    case 3: { // delete a chunk
      const a = int(r, n + 1), len = int(r, Math.min(256, n - a) + 1);
      const out = new Uint8Array(n - len);
      out.set(data.subarray(0, a));
      out.set(data.subarray(a + len), a);
      return out;
    }
    case 4: { // duplicate a chunk
      const a = int(r, n + 1), len = int(r, Math.min(256, n - a) + 1);
      const out = new Uint8Array(n + len);
      out.set(data.subarray(0, a + len));
      out.set(data.subarray(a), a + len);
      return out;
    }
    case 5: { // insert random bytes
      const a = int(r, n + 1), len = 1 + int(r, 16);
      const out = new Uint8Array(n + len);
      out.set(data.subarray(0, a));
      for (let i = 0; i < len; i++) out[a + i] = int(r, 256);
      out.set(data.subarray(a), a + len);
      return out;
    }
    default: { // splice from another seed of the same format
      if (!donor || !donor.length) return data.slice(0, int(r, n + 1));
      const a = int(r, n + 1), b = int(r, donor.length), len = int(r, Math.min(512, donor.length - b) + 1);
      const out = new Uint8Array(a + len + (n - a));
      out.set(data.subarray(0, a));
      out.set(donor.subarray(b, b + len), a);
      out.set(data.subarray(a), a + len);
      return out;
    }
  }
}

const TOKENS = ['{', '}', '(', ')', '[', ']', '<', '>', '->', ':', ',', '=', '"', '%0', '%arg0', '@main', '^bb0', 'tensor<', 'dense<',
  '\n', 'x', '?x', '#', 'stablehlo.while', 'call @main(%0)', '-1', '0', '99999999999', '1e308', 'NaN', 'null', 'true', '[]', '{}'];

export function mutateText(text: string, r: Rand): string {
  const lines = text.split('\n');
  switch (int(r, 6)) {
    case 0: { // replace a number
      const nums = [...text.matchAll(/-?\d+/g)];
      if (!nums.length) return text + pick(r, TOKENS);
      const m = pick(r, nums);
      const v = pick(r, ['0', '-1', '1', '2147483648', '99999999999999', '1e400', String(int(r, 100000))]);
      return text.slice(0, m.index) + v + text.slice(m.index! + m[0].length);
    }
    case 1: lines.splice(int(r, lines.length), 1 + int(r, 3)); return lines.join('\n');
    case 2: { const i = int(r, lines.length); lines.splice(i, 0, lines[int(r, lines.length)]!); return lines.join('\n'); }
    case 3: { const i = int(r, lines.length), j = int(r, lines.length); [lines[i], lines[j]] = [lines[j]!, lines[i]!]; return lines.join('\n'); }
    case 4: { const p = int(r, text.length + 1); return text.slice(0, p) + pick(r, TOKENS) + text.slice(p); }
    default: { // replace an identifier by another one from the text
      const ids = [...text.matchAll(/[%@]?[A-Za-z_][\w.]*/g)];
      if (ids.length < 2) return text;
      const m = pick(r, ids);
      return text.slice(0, m.index) + pick(r, ids)[0] + text.slice(m.index! + m[0].length);
    }
  }
}

function mutateValue(v: unknown, r: Rand, depth: number): unknown {
  if (Array.isArray(v)) {
    if (!v.length || depth > 6 || r() < 0.2) return pick(r, [[], [v], v.slice(1), [...v, ...v.slice(0, 1)], null, 0, 'x']);
    const out = v.slice();
    const i = int(r, out.length);
    out[i] = mutateValue(out[i], r, depth + 1);
    return out;
  }
  if (v && typeof v === 'object') {
    const o = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    if (!keys.length || depth > 6 || r() < 0.15) return pick(r, [{}, null, [], { ...o, extra: 1 }]);
    const k = pick(r, keys);
    if (r() < 0.2) delete o[k];
    else o[k] = mutateValue(o[k], r, depth + 1);
    return o;
  }
  if (typeof v === 'number') return pick(r, [0, -1, v * 2, v + 1, 1e300, -0.5, Number.MAX_SAFE_INTEGER, String(v), null]);
  if (typeof v === 'string') return pick(r, ['', `${v}x`, 'o0', 't0', '<b>x</b>', 'dot', 'forward', 1, null]);
  return pick(r, [null, true, 0, '', [], {}]);
}

export function mutateJson(text: string, r: Rand): string {
  try {
    return JSON.stringify(mutateValue(JSON.parse(text), r, 0));
  } catch {
    return mutateText(text, r);
  }
}

export type SeedFormat = 'onnx' | 'stablehlo' | 'hlo' | 'json';

/** One mutated input: 1-3 stacked mutations of a seed, format-aware half of the time. */
export function mutate(seed: Uint8Array, format: SeedFormat, r: Rand, donor?: Uint8Array): Uint8Array {
  let data = seed;
  for (let k = 1 + int(r, 3); k > 0; k--) {
    if (format !== 'onnx' && r() < 0.6) {
      const text = new TextDecoder().decode(data);
      data = new TextEncoder().encode(format === 'json' && r() < 0.7 ? mutateJson(text, r) : mutateText(text, r));
    } else data = mutateBytes(data, r, donor);
  }
  return data;
}
