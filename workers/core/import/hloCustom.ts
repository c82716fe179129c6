/**
 * The parts of XLA HLO that StableHLO does not spell: custom-calls of the GPU backend (cuBLAS / cuBLASLt gemms
 * carry their dot dimension numbers in backend_config; cuDNN convolutions their window and dim_labels), while
 * loops' known trip counts, and the collectives of a partitioned program (kinds, replica groups), summarised for
 * the import's warnings along with the per-device shapes and the whole model's parameters from the shardings.
 */
import type { OpAttrs, OpKind } from '../ir/types.ts';
import type { HloInstr, HloModule, HloType } from './hloParse.ts';
import type { Stmt } from './mlirParse.ts';
import { convText, leavesOf, listOf } from './hloAttrs.ts';

export type Emit = (op: string, operands: string[], text: string, results?: string[], outTypes?: string[], extra?: Partial<Stmt>) => void;
type ArrayType = Extract<HloType, { kind: 'array' }>;
const numel = (t: ArrayType | undefined) => (t ? t.dims.reduce((a, b) => a * b, 1) : 0);
const unquote = (s: string | undefined) => (s ?? '').trim().replace(/^"|"$/g, '');
const PASS_THROUGH = new Set(['Sharding', 'SPMDFullToShardShape', 'SPMDShardToFullShape', 'MoveToHost', 'MoveToDevice', 'annotate_device_placement', 'LayoutConstraint']);

/** backend_config as JSON: `{...}` printed bare, or an escaped string (older XLA). */
export function backendConfig(ins: HloInstr): Record<string, unknown> | undefined {
  const raw = ins.attrs.get('backend_config');
  if (!raw) return undefined;
  try {
    const v: unknown = JSON.parse(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const field = (o: unknown, k: string): unknown => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined);
const dimsField = (o: unknown, k: string): number[] => { const v = field(o, k); return Array.isArray(v) ? v.map(Number) : []; };

/** A custom-call as the op it stands for; leaves it an unknown op (warned about) when we cannot tell. */
export function customCall(ins: HloInstr, operands: string[], operandTypes: readonly ArrayType[], results: string[], outTypes: string[], emit: Emit): void {
  const target = unquote(ins.attrs.get('custom_call_target'));
  const [r0, o0] = [results.slice(0, 1), outTypes.slice(0, 1)];
  const rest = () => { if (results.length > 1) emit('stablehlo.constant', [], 'dense<0>', results.slice(1), outTypes.slice(1)); };
  /** The main op into a temporary, then each extra operand (bias, C with beta) added on. */
  const withExtras = (op: string, text: string, extras: string[], extra: Partial<Stmt> = {}) => {
    const temps = extras.map((_, i) => `${r0[0]}.part${i}`);
    emit(op, operands.slice(0, 2), text, extras.length ? [temps[0]!] : r0, o0, extra);
    extras.forEach((x, i) => emit('stablehlo.add', [temps[i]!, x], '', i === extras.length - 1 ? r0 : [temps[i + 1]!], o0));
    rest();
  };
  const nonScalarExtras = (from: number) => operands.slice(from).filter((_, i) => numel(operandTypes[from + i]) > 1);
  if (/^__cublas\$(gemm|lt\$matmul)/.test(target)) {
    // The gemm config sits under gemm_backend_config (XLA since 2023) or bare in backend_config (older dumps).
    const bc = backendConfig(ins);
    const cfg = field(bc, 'gemm_backend_config') ?? bc;
    const dn = field(cfg, 'dot_dimension_numbers');
    if (dn) {
      const beta = Number(field(cfg, 'beta') ?? 0);
      const epilogue = String(field(cfg, 'epilogue') ?? 'DEFAULT');
      const extras = target === '__cublas$gemm' ? (beta !== 0 ? nonScalarExtras(2) : []) : nonScalarExtras(2).slice(0, (beta !== 0 ? 1 : 0) + (/BIAS/.test(epilogue) ? 1 : 0));
      const text = `batching_dims = [${dimsField(dn, 'lhs_batch_dimensions').join(', ')}] x [${dimsField(dn, 'rhs_batch_dimensions').join(', ')}], `
        + `contracting_dims = [${dimsField(dn, 'lhs_contracting_dimensions').join(', ')}] x [${dimsField(dn, 'rhs_contracting_dimensions').join(', ')}]`;
      withExtras('stablehlo.dot_general', text, extras);
      return;
    }
  }
  if (/^__cudnn\$conv(Forward|BiasActivationForward)$/.test(target)) {
    withExtras('stablehlo.convolution', convText(ins.attrs), nonScalarExtras(2));
    return;
  }
  const backward = /^__cudnn\$convBackward(Input|Filter)$/.exec(target)?.[1];
  if (backward) {
    // Priced as the forward convolution they transpose: 2 x (forward output) x (input features / group) x (kernel window).
    const [, kernelLabel = '01io', outLabel] = (ins.attrs.get('dim_labels') ?? '').split(/_|->/);
    const kernel = backward === 'Filter' ? parseOut(outTypes[0]) : operandTypes[1]?.dims ?? [];
    const fwdOut = backward === 'Filter' ? numel(operandTypes[1]) : numel(operandTypes[0]);
    const spatial = [...kernelLabel].map((c, i) => (/\d/.test(c) ? kernel[i] ?? 1 : 1)).reduce((a, b) => a * b, 1);
    const flops = 2 * fwdOut * (kernel[kernelLabel.indexOf('i')] ?? 1) * spatial;
    const priced: { kind: OpKind; attrs: OpAttrs; flops: number } = { kind: 'reduce', attrs: { kind: 'reduce', dims: [], reducer: 'sum' }, flops };
    emit(`stablehlo.cudnn_conv_backward_${backward.toLowerCase()}`, operands.slice(0, 2), outLabel ?? '', r0, o0, { priced });
    rest();
    return;
  }
  const fmha = /^__cudnn\$fmha\w*?(Backward)?$/.exec(target);
  const scores = dimsField(field(field(backendConfig(ins), 'cudnn_fmha_backend_config'), 'intermediate_tensor_shape'), 'dimensions');
  if (fmha && scores.length) {
    // Fused attention: softmax(Q K^T) V is two matmuls over the [.., Sq, Sk] scores, 4 x Sk x |out| FLOPs (dense, as the
    // unfused program counts them); its backward about 2.5 times that (recomputed scores, dQ, dK, dV), |dQ| = |out|.
    const real = results.map((r, i) => [r, outTypes[i]!] as const).filter(([, t]) => !/xu?i8>$/.test(t));
    const flops = (fmha[1] ? 10 : 4) * scores[scores.length - 1]! * numel(parseArray(real[0]?.[1]));
    const priced: { kind: OpKind; attrs: OpAttrs; flops: number } = { kind: 'reduce', attrs: { kind: 'reduce', dims: [], reducer: 'other' }, flops };
    emit(`stablehlo.cudnn_attention${fmha[1] ? '_backward' : ''}`, fmha[1] ? operands : operands.slice(0, 3), '', real.map((x) => x[0]), real.map((x) => x[1]), { priced });
    const scratch = results.map((r, i) => [r, outTypes[i]!] as const).filter(([, t]) => /xu?i8>$/.test(t));
    if (scratch.length) emit('stablehlo.constant', [], 'dense<0>', scratch.map((x) => x[0]), scratch.map((x) => x[1]));
    return;
  }
  if (PASS_THROUGH.has(target) && operands[0]) {
    emit(numel(operandTypes[0]) === numel(parseArray(outTypes[0])) ? 'stablehlo.reshape' : 'stablehlo.slice', operands.slice(0, 1), '', r0, o0);
    rest();
    return;
  }
  emit(`hlo.custom-call ${target || '?'}`, operands, '');
}

function parseOut(type: string | undefined): number[] {
  return (/^tensor<(.*)>$/.exec(type ?? '')?.[1] ?? '').split('x').slice(0, -1).map(Number);
}
const parseArray = (type: string | undefined): ArrayType => ({ kind: 'array', elem: 'f32', dims: parseOut(type), dynamic: false });

/** The attribute text a collective keeps (the gathered / scattered / exchanged dimension). */
export function collectiveText(ins: HloInstr): string {
  const d = listOf(ins.attrs.get('dimensions'));
  return d.length ? `dimensions = [${d.join(', ')}]` : '';
}

/** A while loop's trip count: XLA's known_trip_count, else `i < N` in its condition with i starting at 0. */
export function tripCountOf(ins: HloInstr, mod: HloModule): number | undefined {
  const known = Number(field(field(backendConfig(ins), 'known_trip_count'), 'n'));
  if (Number.isInteger(known) && known >= 0) return known;
  const cond = mod.computations.get(unquote(ins.attrs.get('condition')).replace(/^%/, ''));
  if (!cond) return undefined;
  const called = cond.instrs.map((i) => mod.computations.get((i.attrs.get('calls') ?? '').replace(/^%/, ''))).filter((c) => c !== undefined);
  const all = [...cond.instrs, ...called.flatMap((c) => c.instrs)];
  const cmp = all.find((i) => i.opcode === 'compare');
  const bound = all.find((i) => i.opcode === 'constant' && /^\d+$/.test(i.inner.trim()) && i.type.kind === 'array' && /^[su]\d+$/.test(i.type.elem));
  if (!cmp || !bound) return undefined;
  const n = Number(bound.inner.trim());
  const dir = cmp.attrs.get('direction');
  return dir === 'LT' || dir === 'NE' ? n : dir === 'LE' ? n + 1 : undefined;
}

/** Group size of a collective from replica_groups (explicit lists, iota `[2,4]<=[8]`, or `mesh[...] {axes}`). */
export function groupSize(ins: HloInstr, devices: number): number {
  const rg = (ins.attrs.get('replica_groups') ?? '').trim();
  if (rg === '' || rg === '{}') return devices;
  if (rg.startsWith('{{')) return listOf(/^\{\{([^}]*)\}/.exec(rg)?.[1]).length;
  const iota = /^\[([\d,\s]+)\]\s*<=/.exec(rg);
  if (iota) return listOf(iota[1]).pop() ?? devices;
  const mesh = /^mesh\[(.*)\]\s*\{(.*)\}/.exec(rg);
  if (mesh) {
    const sizes = new Map([...mesh[1]!.matchAll(/'([^']+)'\s*=\s*(\d+)/g)].map((m) => [m[1]!, Number(m[2])] as const));
    return [...mesh[2]!.matchAll(/'([^']+)'/g)].reduce((s, m) => s * (sizes.get(m[1]!) ?? 1), 1);
  }
  return devices;
}

/** One line naming the collectives already in the program, with their group sizes; undefined when none. */
export function collectiveSummary(mod: HloModule): string | undefined {
  const devices = Math.max(1, (listOf(mod.attrs.get('num_partitions'))[0] ?? 1) * (listOf(mod.attrs.get('replica_count'))[0] ?? 1));
  const kinds = new Map<string, { n: number; sizes: Set<string> }>();
  for (const comp of mod.computations.values()) {
    for (const ins of comp.instrs) {
      const kind = ins.opcode.replace(/-start$/, '');
      if (!/^(all-reduce|all-gather|reduce-scatter|all-to-all|ragged-all-to-all|collective-permute|collective-broadcast)$/.test(kind)) continue;
      const k = kinds.get(kind) ?? { n: 0, sizes: new Set<string>() };
      k.n++;
      if (kind === 'collective-permute') k.sizes.add(`${listOf(ins.attrs.get('source_target_pairs')).length / 2} source-target pairs`);
      else k.sizes.add(`groups of ${groupSize(ins, devices)}`);
      kinds.set(kind, k);
    }
  }
  if (!kinds.size) return undefined;
  const total = [...kinds.values()].reduce((s, k) => s + k.n, 0);
  return `hlo: the program already holds ${total} collectives over ${devices} devices: ${[...kinds].map(([kind, k]) => `${kind} x${k.n} (${[...k.sizes].join('; ')})`).join(', ')}`;
}

/** Whole-model elements of an entry parameter from its sharding (tile counts per dim); its own size when replicated. */
export function globalElements(ins: HloInstr): number {
  const local = leavesOf(ins.type).reduce((s, t) => s + numel(t), 0);
  const sh = ins.attrs.get('sharding') ?? '';
  const tiles = /devices=\[([\d,]+)\]/.exec(sh);
  if (!tiles) return local;
  const t = listOf(tiles[1]);
  const replicated = /last_tile_dim_replicate/.test(sh) ? 1 : listOf(/last_tile_dims=\{([^}]*)\}/.exec(sh)?.[1]).length;
  return local * t.slice(0, t.length - replicated).reduce((a, b) => a * b, 1);
}
