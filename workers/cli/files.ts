/**
 * Files at the CLI's boundary. Inputs: stat first, then read at most a limit (a regular file by its size, anything
 * else — /dev/zero, a pipe — by a bounded read), without copying the bytes again. Outputs: checked before any work
 * starts (folder exists, is a folder, is writable; the target is not a folder) and written atomically (a temporary
 * file in the same folder, renamed over the target), so Ctrl-C or a full disk never leaves a partial file.
 */
import { constants, createReadStream, unlinkSync } from 'node:fs';
import { access, open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { echo } from '../core/boundary/text.ts';
import { CliError } from './args.ts';

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

function errnoMessage(err: unknown, what: string, path: string): CliError {
  const code = (err as NodeJS.ErrnoException).code;
  const p = echo(path);
  if (code === 'ENOENT') return new CliError(`${what} not found: ${p}`);
  if (code === 'EISDIR') return new CliError(`${what} is a directory, not a file: ${p}`);
  if (code === 'EACCES' || code === 'EPERM') return new CliError(`${what} cannot be read (permission denied): ${p}`);
  return new CliError(`cannot read ${what} ${p}: ${echo((err as Error).message.split('\n')[0])}`);
}

/** The first `n` bytes of a file (fewer when it is shorter), for sniffing before a whole read. */
export async function readHead(path: string, n: number, what: string): Promise<Uint8Array> {
  const info = await stat(path).catch((err) => { throw errnoMessage(err, what, path); });
  if (info.isDirectory()) throw new CliError(`${what} is a directory, not a file: ${echo(path)}`);
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw errnoMessage(err, what, path);
  }
  try {
    const buf = new Uint8Array(n);
    const { bytesRead } = await fh.read(buf, 0, n, null);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** A file's bytes, refused past `maxBytes` (stated size for a regular file, bytes seen for a device or pipe). */
export async function readBounded(path: string, maxBytes: number, what: string): Promise<Uint8Array> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw errnoMessage(err, what, path);
  }
  if (info.isDirectory()) throw new CliError(`${what} is a directory, not a file: ${echo(path)}`);
  if (info.isFile()) {
    if (info.size > maxBytes) throw new CliError(`${what} ${echo(path)} is ${mib(info.size)}; the limit is ${mib(maxBytes)}`);
    const fh = await open(path, 'r').catch((err) => { throw errnoMessage(err, what, path); });
    try {
      const buf = new Uint8Array(info.size);
      let off = 0;
      while (off < buf.length) {
        const { bytesRead } = await fh.read(buf, off, buf.length - off, off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return buf.subarray(0, off);
    } finally {
      await fh.close();
    }
  }
  // A device, pipe or socket: no size to trust; read until the limit and refuse past it.
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stream = createReadStream(path, { highWaterMark: 1 << 20 });
    stream.on('data', (chunk) => {
      const b = chunk as Buffer;
      total += b.length;
      if (total > maxBytes) {
        stream.destroy();
        reject(new CliError(`${what} ${echo(path)} is not a regular file and gave more than ${mib(maxBytes)} (the limit); is it a never-ending stream?`));
        return;
      }
      chunks.push(b);
    });
    stream.on('error', (err) => reject(errnoMessage(err, what, path)));
    stream.on('end', () => {
      const out = new Uint8Array(total);
      let off = 0;
      for (const c of chunks) { out.set(c, off); off += c.length; }
      resolvePromise(out);
    });
  });
}

/** Throws a CliError when `path` cannot be written: checked before the work that produces it starts. */
export async function checkOutputPath(path: string, flag: string): Promise<void> {
  const full = resolve(path);
  const dir = dirname(full);
  const p = echo(path);
  const dirInfo = await stat(dir).catch(() => undefined);
  if (!dirInfo) throw new CliError(`${flag} ${p}: folder ${echo(dir)} does not exist`);
  if (!dirInfo.isDirectory()) throw new CliError(`${flag} ${p}: ${echo(dir)} is not a folder`);
  const target = await stat(full).catch(() => undefined);
  if (target?.isDirectory()) throw new CliError(`${flag} ${p} is a folder; give a file name inside it`);
  try {
    await access(dir, constants.W_OK);
    if (target) await access(full, constants.W_OK);
  } catch {
    throw new CliError(`${flag} ${p}: not writable (permission denied)`);
  }
}

/** Temporary files being written now; while there are any, Ctrl-C removes them before the process ends. */
const pendingTemporaries = new Set<string>();

/**
 * Ctrl-C during a write: remove the temporaries, then end as an interrupted process does (exit 130). Installed only
 * while a write is pending, so at any other time Ctrl-C ends the process at once (the search runs synchronously and
 * would delay a handler).
 */
function onInterrupt(): void {
  for (const t of pendingTemporaries) {
    try { unlinkSync(t); } catch { /* already gone */ }
  }
  process.stderr.write('meshplan: interrupted; no output written\n');
  process.exit(130);
}

/** Writes `data` to a temporary file beside `path`, then renames it over `path`. */
export async function writeAtomic(path: string, data: string, flag: string): Promise<void> {
  const full = resolve(path);
  const tmp = join(dirname(full), `.${basename(full)}.${process.pid}.tmp`);
  if (pendingTemporaries.size === 0) process.on('SIGINT', onInterrupt);
  pendingTemporaries.add(tmp);
  try {
    await writeFile(tmp, data);
    await rename(tmp, full);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`${flag} ${echo(path)}: cannot write${code === 'ENOSPC' ? ' (disk full)' : ''}: ${echo((err as Error).message.split('\n')[0])}`);
  } finally {
    pendingTemporaries.delete(tmp);
    if (pendingTemporaries.size === 0) process.off('SIGINT', onInterrupt);
  }
}
