import type { MiddlewareObj } from '@middy/core';
import { checkFrontOrigin, FRONT_ORIGIN_HEADER, FRONT_ORIGIN_SECRET_ENV } from '../../app/frontOrigin';
import type { FrontOriginSecrets } from '../../app/frontOrigin';
import { SecretFrontOrigin } from '../../adapters/secrets/frontOrigin';
import { extensionFetch } from '../../adapters/secrets/nodeTokenKeys';
import type { AuthContext } from './auth';

/** Where a function gets the front's origin secret from; absent when the front is off. */
export type FrontOriginSource = () => Promise<FrontOriginSecrets>;

/**
 * The origin source of a Lambda function: the secret the stack names in
 * `PRG_FRONT_ORIGIN_SECRET_ID` (set only with the WAF front on), else none.
 */
export function frontOriginFromEnv(env: NodeJS.ProcessEnv): FrontOriginSource | undefined {
  const secretId = env[FRONT_ORIGIN_SECRET_ENV];
  if (!secretId) return undefined;
  const secret = new SecretFrontOrigin(secretId, extensionFetch(env));
  return () => secret.secrets();
}

/**
 * Refuses, before the route's own auth, any request that did not come through the
 * CloudFront + WAF front (403 problem+json): the API's custom domain is public, and
 * without this a caller could skip the WAF. No source (front off, embedded default):
 * nothing is checked. Runs after the header normaliser (lower-case names).
 */
export function frontOriginGuard(source: FrontOriginSource | undefined): MiddlewareObj<AuthContext> {
  return {
    before: async (request) => {
      if (!source) return;
      checkFrontOrigin(await source(), request.event.headers?.[FRONT_ORIGIN_HEADER]);
    },
  };
}
