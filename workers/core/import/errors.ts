/** Import failures: the one error value importers report (anything else escaping is a bug). */

/** What went wrong, in which format, and where (1-based line/column for text formats, node name for graphs). */
export interface ImportError {
  readonly message: string;
  readonly format: string;
  readonly line?: number;
  readonly column?: number;
  readonly node?: string;
}

/** Thrown inside the importers and turned into `{ ok: false, error }` at the importModel boundary. */
export class ImportFailure extends Error {
  readonly importError: ImportError;
  constructor(error: ImportError) {
    super(error.message);
    this.name = 'ImportFailure';
    this.importError = error;
  }
}

export function fail(format: string, message: string, where: { line?: number; column?: number; node?: string } = {}): never {
  throw new ImportFailure({ message, format, ...where });
}

/** Progress of one import, reported between named phases at most every few thousand items. */
export interface ImportProgress {
  readonly phase: string;
  readonly done: number;
  readonly total: number;
}
export type ImportProgressCallback = (progress: ImportProgress) => void;

/** Largest model file accepted: protobuf caps a message at 2 GiB, and a browser tab cannot hold much more. */
export const MAX_IMPORT_BYTES = 2 * 1024 ** 3;
