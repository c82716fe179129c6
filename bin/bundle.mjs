// An ES module bundled from a TypeScript entry with esbuild (tsx's own transpiler), cached under
// node_modules/.cache/meshplan/. A stamp beside it lists every input file with its mtime and size: when one changed,
// the bundle is built again (~0.5 s); otherwise startup costs ~250 stat calls. Bundles are immutable folders named by
// a hash of their inputs, moved into place whole, and the stamp is replaced atomically, so CLIs started at once never
// read half a bundle. Each dynamic import() of the sources is a chunk of its own, loaded when the code asks for it:
// a command compiles only what it runs, and a package imported only there (onnx-buf, for .onnx models) loads only
// then. Packages stay external (resolved from node_modules as before); each source's `import.meta.url` is kept its
// own (the worker pool and the importers locate files next to their source).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** The layout of the cache (2: a folder of chunks per bundle); a stamp of another layout is stale. */
const FORMAT = 2;

function fresh(stamp) {
  if (!stamp || stamp.format !== FORMAT || typeof stamp.bundle !== 'string' || typeof stamp.inputs !== 'object') return false;
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

/** Older bundles of an entry are removed once this old: a process started on one may still load its chunks. */
const KEEP_OLD_MS = 3600_000;

function removeOldBundles(prefix, keep) {
  for (const name of readdirSync(CACHE)) {
    if (!name.startsWith(prefix) || name === keep) continue;
    try {
      if (Date.now() - statSync(join(CACHE, name)).mtimeMs > KEEP_OLD_MS) rmSync(join(CACHE, name), { recursive: true, force: true });
    } catch { /* removed meanwhile */ }
  }
}

async function build(entry, id, stampPath) {
  const esbuild = await import('esbuild');
  const name = relative(ROOT, entry).replace(/[^\w]+/g, '-');
  const outdir = join(CACHE, `.${process.pid}.tmp`);
  const result = await esbuild.build({
    entryPoints: { [name]: entry }, absWorkingDir: ROOT, bundle: true, splitting: true, outdir, outExtension: { '.js': '.mjs' },
    platform: 'node', format: 'esm', target: 'node20', packages: 'external', write: false, metafile: true, logLevel: 'silent',
    plugins: [keepImportMetaUrl],
  });
  const inputs = Object.fromEntries(Object.keys(result.metafile.inputs).map((f) => [f, signature(join(ROOT, f))]));
  const hash = createHash('sha1').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
  const dir = `${name}-${id}-${hash}`;
  mkdirSync(CACHE, { recursive: true });
  rmSync(outdir, { recursive: true, force: true });
  for (const f of result.outputFiles) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.contents);
  }
  try {
    renameSync(outdir, join(CACHE, dir));
  } catch (err) {
    // Built at once by another CLI: the same inputs, the same files.
    rmSync(outdir, { recursive: true, force: true });
    if (!statSync(join(CACHE, dir), { throwIfNoEntry: false })?.isDirectory()) throw err;
  }
  const bundle = `${dir}/${name}.mjs`;
  const tmp = `${stampPath}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ format: FORMAT, bundle, inputs }));
  renameSync(tmp, stampPath);
  removeOldBundles(`${name}-${id}-`, dir);
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
    const bundle = fresh(stamp) ? stamp.bundle : await build(entry, id, stampPath);
    return pathToFileURL(join(CACHE, bundle)).href;
  } catch {
    return undefined;
  }
}
