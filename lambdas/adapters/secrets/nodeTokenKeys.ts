import { UnavailableError } from '../../app/errors';
import type { NodeTokenKeys } from '../../app/ports';
import {
  keyRingFromSecret,
  LEGACY_NODE_TOKENS_ENV,
  legacyWindowEnd,
  NODE_TOKEN_SECRET_ENV,
  type NodeTokenKeyRing,
} from '../../app/tokens';

export { keyRingFromSecret, NODE_TOKEN_SECRET_ENV };

/** Fetches the secret's text; the default asks the AWS Parameters and Secrets Lambda Extension. */
export type SecretFetch = (secretId: string) => Promise<string>;

/** Reads a secret through the extension's local HTTP endpoint (it caches, so a miss is cheap). */
export function extensionFetch(env: NodeJS.ProcessEnv): SecretFetch {
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
  return async (secretId) => {
    const response = await fetch(
      `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`,
      { headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' } },
    );
    if (!response.ok) throw new Error(`the secrets extension answered ${response.status}`);
    const body = (await response.json()) as { SecretString?: unknown };
    if (typeof body.SecretString !== 'string') throw new Error('the secret has no SecretString');
    return body.SecretString;
  };
}

/**
 * The node token keys from a Secrets Manager secret, kept for `ttlMs` by the function. A
 * replaced key reaches every warm function within that time (plus the extension's own
 * cache): the grace of the previous key must be longer (docs/threat-model.md). When a
 * refresh fails the keys already held are kept; with none held, the request is a 503.
 * The legacy window (tokens of the previous release) comes from the function's
 * environment, which the stack sets from its `legacyNodeTokensUntil` context.
 */
export class SecretNodeTokenKeys implements NodeTokenKeys {
  private held: { ring: NodeTokenKeyRing; until: number } | null = null;

  constructor(
    private readonly secretId: string,
    private readonly fetchSecret: SecretFetch,
    private readonly now: () => number = () => Date.now(),
    private readonly ttlMs = 60_000,
    private readonly warn: (message: string) => void = () => undefined,
    private readonly legacyUntil: number | null = legacyWindowEnd(
      process.env[LEGACY_NODE_TOKENS_ENV],
      LEGACY_NODE_TOKENS_ENV,
    ),
  ) {}

  async keyRing(): Promise<NodeTokenKeyRing> {
    const now = this.now();
    if (this.held && this.held.until > now) return this.held.ring;
    try {
      const ring = {
        ...keyRingFromSecret(await this.fetchSecret(this.secretId)),
        legacyUntil: this.legacyUntil,
      };
      this.held = { ring, until: now + this.ttlMs };
      return ring;
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      if (this.held) {
        this.warn(`The node token keys could not be refreshed (${why}); the ones held are used meanwhile.`);
        this.held = { ring: this.held.ring, until: now + Math.min(this.ttlMs, 5_000) };
        return this.held.ring;
      }
      throw new UnavailableError(
        `The node token keys could not be read (${why}), so no node token can be checked. Retry in a few seconds; an operator should check secret ${this.secretId} and the function's access to it.`,
      );
    }
  }
}

/** For functions given no secret: any use is a deployment mistake, said plainly. */
export const NO_NODE_TOKEN_KEYS: NodeTokenKeys = {
  keyRing: () =>
    Promise.reject(
      new Error(
        `${NODE_TOKEN_SECRET_ENV} is not set for this function, so it cannot issue or check node tokens; the stack grants the secret to the heartbeat and nodes functions only.`,
      ),
    ),
};
