import type { z } from 'zod';

/** The issues a schema reports for an input, as the API's `errors` would show them. */
export function issues(schema: z.ZodType, input: unknown): { path: PropertyKey[]; message: string }[] {
  const r = schema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

/** Just the paths of the issues: which fields the operator is told to fix. */
export function paths(schema: z.ZodType, input: unknown): PropertyKey[][] {
  return issues(schema, input).map((i) => i.path);
}

/** The keys an unknown-field issue names (the path of such an issue is the object itself). */
export function unknownKeys(schema: z.ZodType, input: unknown): string[] {
  const r = schema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : []));
}

/** The distinct paths of the issues (one value may break two rules of the same field). */
export function distinctPaths(schema: z.ZodType, input: unknown): PropertyKey[][] {
  const seen = new Map<string, PropertyKey[]>();
  for (const p of paths(schema, input)) seen.set(JSON.stringify(p.map(String)), p);
  return [...seen.values()];
}
