import { timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { ForbiddenError } from './errors';

/**
 * The front's origin secret (docs/threat-model.md). With the CloudFront + WAF front on,
 * CloudFront adds this header to every request it forwards to the API; the API's own
 * custom domain is public, so the functions refuse a request without it: a caller who
 * skips CloudFront (and so the WAF) gets a 403 before anything else is judged.
 */
export const FRONT_ORIGIN_HEADER = 'x-prg-origin-verify';
/** The environment variable naming the Secrets Manager secret of the origin secret (set by the stack). */
export const FRONT_ORIGIN_SECRET_ENV = 'PRG_FRONT_ORIGIN_SECRET_ID';

/** The values a forwarded request may carry: the current one, and the one being replaced. */
export interface FrontOriginSecrets {
  current: string;
  previous: string | null;
}

const SecretSchema = z.object({
  current: z.string().min(32),
  previous: z.string().min(32).optional(),
});

/** Parses the secret's JSON (`{"current": "...", "previous"?: "..."}`), or says what is wrong with it. */
export function frontOriginSecretsFrom(text: string): FrontOriginSecrets {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(
      'The front origin secret is not JSON; it must be {"current": "<at least 32 characters>"}.',
    );
  }
  const parsed = SecretSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `The front origin secret is not valid (${parsed.error.issues.map((i) => i.path.join('.') || 'secret').join(', ')}); it must be {"current": "<at least 32 characters>", "previous"?: "<the value being replaced>"}.`,
    );
  }
  return { current: parsed.data.current, previous: parsed.data.previous ?? null };
}

function same(left: string, right: string): boolean {
  const a = Buffer.from(left, 'utf8');
  const b = Buffer.from(right, 'utf8');
  // The length check leaks only the length, which every caller of the front could learn anyway.
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Refuses (403) a request that did not come through the front: its origin header is
 * missing or matches neither value, compared in constant time. The detail names no value.
 */
export function checkFrontOrigin(secrets: FrontOriginSecrets, presented: string | undefined): void {
  const ok =
    presented !== undefined &&
    (same(presented, secrets.current) || (secrets.previous !== null && same(presented, secrets.previous)));
  if (!ok) {
    throw new ForbiddenError(
      'This API is served through its CloudFront front only: send the request to the front’s address (the console URL) instead of the API’s own domain.',
    );
  }
}
