import { UnavailableError } from '../../app/errors';
import { frontOriginSecretsFrom, type FrontOriginSecrets } from '../../app/frontOrigin';
import type { SecretFetch } from './nodeTokenKeys';

/**
 * The front's origin secret from Secrets Manager, kept for `ttlMs` by the function (the
 * extension caches it a minute more). A refresh that fails keeps what is held; with
 * nothing held the request is a 503, since the function cannot tell the front's requests
 * from a bypass.
 */
export class SecretFrontOrigin {
  private held: { secrets: FrontOriginSecrets; until: number } | null = null;

  constructor(
    private readonly secretId: string,
    private readonly fetchSecret: SecretFetch,
    private readonly now: () => number = () => Date.now(),
    private readonly ttlMs = 60_000,
  ) {}

  async secrets(): Promise<FrontOriginSecrets> {
    const now = this.now();
    if (this.held && this.held.until > now) return this.held.secrets;
    try {
      const secrets = frontOriginSecretsFrom(await this.fetchSecret(this.secretId));
      this.held = { secrets, until: now + this.ttlMs };
      return secrets;
    } catch (e) {
      if (this.held) {
        this.held = { secrets: this.held.secrets, until: now + Math.min(this.ttlMs, 5_000) };
        return this.held.secrets;
      }
      const why = e instanceof Error ? e.message : String(e);
      throw new UnavailableError(
        `The front origin secret could not be read (${why}). Retry in a few seconds; an operator should check secret ${this.secretId} and the function's access to it.`,
      );
    }
  }
}
