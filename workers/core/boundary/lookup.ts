/** Lookups by a user-named key (a GPU type, a preset): own properties only, so 'constructor' or '__proto__' is just a name. */

export function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
