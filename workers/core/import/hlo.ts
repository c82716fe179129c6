/**
 * XLA HLO text -> IR: parsed (hloParse.ts), converted to the StableHLO importer's statements (hloConvert.ts) and
 * run by the same graph builder (stablehlo.ts importProgram): fusions inlined, while loops one layer per trip,
 * parameters vs data as for StableHLO, training steps split into forward / backward / update. A partitioned
 * program (num_partitions > 1) is imported per device, as written, and said so; its collectives are named.
 */
import type { ModelGraph } from '../ir/types.ts';
import type { ImportProgressCallback } from './errors.ts';
import { leavesOf } from './hloAttrs.ts';
import { HloConverter } from './hloConvert.ts';
import { collectiveSummary, globalElements } from './hloCustom.ts';
import { parseHlo, type HloModule } from './hloParse.ts';
import { importProgram } from './stablehlo.ts';
import { decodeUtf8 } from './text.ts';

const DATA_NAME = /\b(inputs?|batch|images?|labels?|tokens?|ids|x|data)\b/i;

/** One warning when the program was partitioned: its shapes are one device's; the whole model's parameters. */
function partitionNote(mod: HloModule): string | undefined {
  const parts = Number(/\d+/.exec(mod.attrs.get('num_partitions') ?? '')?.[0] ?? 1);
  if (!(parts > 1)) return undefined;
  const weights = mod.entry.instrs.filter((i) => i.opcode === 'parameter' && leavesOf(i.type).every((t) => /^(f|bf)/.test(t.elem))
    && !DATA_NAME.test(/op_name="([^"]*)"/.exec(i.attrs.get('metadata') ?? '')?.[1] ?? ''));
  const local = weights.reduce((s, i) => s + leavesOf(i.type).reduce((a, t) => a + t.dims.reduce((x, y) => x * y, 1), 0), 0);
  const global = weights.reduce((s, i) => s + globalElements(i), 0);
  return `hlo: the program is partitioned for ${parts} devices (num_partitions=${parts}) and imported as one device's share: `
    + `${local.toLocaleString('en-US')} parameters here, ${global.toLocaleString('en-US')} in the whole model (from the parameters' shardings)`;
}

export function importHlo(fileName: string, data: Uint8Array, opts: { batch?: number; seq?: number } = {}, onProgress?: ImportProgressCallback): ModelGraph {
  onProgress?.({ phase: 'parse', done: 0, total: 1 });
  const mod = parseHlo(decodeUtf8(data));
  const converter = new HloConverter(mod);
  const main = converter.func(mod.entry.name, mod.entry.instrs[0]!);
  onProgress?.({ phase: 'parse', done: 1, total: 1 });
  const warnings = [partitionNote(mod), collectiveSummary(mod)].filter((w): w is string => w !== undefined);
  return importProgram({ format: 'hlo', fileName, funcs: [...converter.funcs.values()], main, warnings }, opts, onProgress);
}
