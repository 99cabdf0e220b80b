/**
 * Records keyed by names that come from input: service names, node ids. A plain `{}`
 * already answers to `toString`, `constructor`, `valueOf` and `__proto__` through
 * Object.prototype, so such a name would read a function where "absent" was meant (and
 * assigning `__proto__` would replace the prototype instead of storing a value). Both
 * halves are needed: new records get no prototype at all, and lookups see only a
 * record's own keys, because a record that went through structuredClone, JSON or
 * DynamoDB comes back as a plain object again.
 */

/** The value stored under `key` itself; never one inherited from Object.prototype. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A record with no prototype, holding `entries` (every name, `__proto__` too, as its own key). */
export function keyedRecord<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const record = Object.create(null) as Record<string, T>;
  for (const [key, value] of entries) record[key] = value;
  return record;
}

/** A prototype-free copy of `record`'s own entries. */
export function keyedCopy<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return keyedRecord(Object.entries(record));
}
