// One ES module bundled from a TypeScript entry with esbuild (tsx's own transpiler), cached under
// node_modules/.cache/meshplan/. A stamp beside it lists every input file with its mtime and size: when one changed,
// the bundle is built again (~0.5 s); otherwise startup costs ~250 stat calls. Bundles are immutable files named by
// a hash of their inputs and the stamp is replaced atomically, so CLIs started at once never read half a file.
// Packages stay external (resolved from node_modules as before); each source's `import.meta.url` is kept its own
// (the worker pool and the importers locate files next to their source).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, 'node_modules', '.cache', 'meshplan');

function signature(path) {
  const s = statSync(path);
  return `${s.mtimeMs}:${s.size}`;
}

function readStamp(path) {
  try { return JSON.parse(readFileSync(path, 'utf8')); } catch { return undefined; }
}

function fresh(stamp) {
  if (!stamp || typeof stamp.bundle !== 'string' || typeof stamp.inputs !== 'object') return false;
  try {
    return Object.entries(stamp.inputs).every(([file, sig]) => signature(join(ROOT, file)) === sig)
      && statSync(join(CACHE, stamp.bundle)).isFile();
  } catch {
    return false;
  }
}

const keepImportMetaUrl = {
  name: 'keep-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.m?ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

async function build(entry, id, stampPath, previous) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry], absWorkingDir: ROOT, bundle: true, platform: 'node', format: 'esm', target: 'node20',
    packages: 'external', write: false, metafile: true, logLevel: 'silent', plugins: [keepImportMetaUrl],
  });
  const inputs = Object.fromEntries(Object.keys(result.metafile.inputs).map((f) => [f, signature(join(ROOT, f))]));
  const hash = createHash('sha1').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
  const bundle = `${relative(ROOT, entry).replace(/[^\w]+/g, '-')}-${id}-${hash}.mjs`;
  mkdirSync(CACHE, { recursive: true });
  const tmp = `.${process.pid}.tmp`;
  writeFileSync(join(CACHE, bundle + tmp), result.outputFiles[0].contents);
  renameSync(join(CACHE, bundle + tmp), join(CACHE, bundle));
  writeFileSync(stampPath + tmp, JSON.stringify({ bundle, inputs }));
  renameSync(stampPath + tmp, stampPath);
  if (previous?.bundle && previous.bundle !== bundle) rmSync(join(CACHE, previous.bundle), { force: true });
  return bundle;
}

/** The file URL of the entry's bundle, built if missing or stale; undefined if it cannot be built here. */
export async function bundledModule(entryUrl) {
  const entry = fileURLToPath(entryUrl);
  // One stamp per checkout and entry: worktrees share node_modules (and so this cache) but not their sources.
  const id = createHash('sha1').update(entry).digest('hex').slice(0, 12);
  const stampPath = join(CACHE, `stamp-${id}.json`);
  const stamp = readStamp(stampPath);
  try {
    const bundle = fresh(stamp) ? stamp.bundle : await build(entry, id, stampPath, stamp);
    return pathToFileURL(join(CACHE, bundle)).href;
  } catch {
    return undefined;
  }
}
