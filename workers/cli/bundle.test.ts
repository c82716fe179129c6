/**
 * bin/bundle.mjs: the CLI and its ILP thread run from bundles whose dynamic imports are chunks of their own, so a
 * command loads (parses, compiles) only the code it runs and the packages that code imports: `plan` on a zoo model
 * does not load the ONNX reader (onnx-buf, @bufbuild/protobuf) nor, on the main thread, HiGHS; the ILP thread does
 * not load zod (the cluster file's schemas).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

async function bundle(entry: string): Promise<string> {
  const path = '../../bin/bundle.mjs';
  const { bundledModule } = (await import(path)) as { bundledModule: (entry: URL) => Promise<string | undefined> };
  const url = await bundledModule(new URL(entry, import.meta.url));
  if (!url) throw new Error(`${entry} could not be bundled`);
  return fileURLToPath(url);
}

/** Packages a chunk loads before it runs: its static imports, through the chunks it imports statically. */
function staticPackages(file: string, seen = new Set<string>()): Set<string> {
  const packages = new Set<string>();
  if (seen.has(file)) return packages;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^import\s(?:[^;]*?\sfrom\s*)?"([^"]+)";/gms)) {
    const spec = m[1];
    if (spec.startsWith('./')) for (const p of staticPackages(join(dirname(file), spec), seen)) packages.add(p);
    else if (!spec.startsWith('node:')) packages.add(spec);
  }
  return packages;
}

describe('the CLI\'s bundles', () => {
  it('the CLI\'s entry loads no importer, solver or planner code before a command asks for it', async () => {
    const entry = await bundle('../cli.ts');
    const packages = staticPackages(entry);
    for (const p of ['onnx-buf', '@bufbuild/protobuf', 'highs']) expect(packages.has(p), p).toBe(false);
    expect(readFileSync(entry, 'utf8')).toMatch(/import\("\.\/plan-[A-Z0-9]+\.mjs"\)/); // the command, a chunk
  }, 60_000);

  it('the ILP thread\'s bundle loads the solver\'s packages and not zod', async () => {
    const entry = await bundle('../pool/ilpThread.ts');
    const packages = staticPackages(entry);
    expect(packages.has('comlink')).toBe(true);
    expect(packages.has('zod')).toBe(false);
    expect(readFileSync(entry, 'utf8')).toContain('servePoolWorker');
  }, 60_000);
});
