import type { z } from 'zod';
import { ValidationError } from '../../app/errors';

/**
 * Validates one part of a request against its schema; a violation is a 400 naming each
 * field (`nodes.1`, `keepAliveTimeout`) and nothing is written.
 */
export function parse<S extends z.ZodType>(
  schema: S,
  value: unknown,
  part: 'body' | 'query' | 'path',
): z.infer<S> {
  // No body at all is "absent"; a body that is JSON `null` was sent, and is judged (and refused) as sent.
  const result = schema.safeParse(
    value === undefined || (value === null && part !== 'body') ? (part === 'body' ? undefined : {}) : value,
  );
  if (result.success) return result.data;
  // An unknown field is reported by zod on the object with the keys beside it; name each key.
  const errors = result.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: [...i.path, k].map(String).join('.'), message: 'is not a known field' }))
      : [{ path: i.path.map(String).join('.'), message: i.message }],
  );
  const fields = errors.map((e) => e.path || part).join(', ');
  throw new ValidationError(`The request ${part} is invalid (${fields}); nothing was changed.`, errors);
}
