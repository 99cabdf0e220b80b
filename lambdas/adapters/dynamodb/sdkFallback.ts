/**
 * The small signed client (`wire/`) with the AWS SDK behind it: should DynamoDB ever refuse
 * the client's own signature, the call is sent again through the SDK, and so is every
 * later call of this function instance. The signature is tested against the SDK's signer,
 * but only AWS checks it for real; without this, a refusal would fail every heartbeat, and
 * agents that hear no answer fence their nodes.
 */
import type { DocumentCommand, DocumentDb, DocumentOperation, DocumentOperations } from './commands';

/**
 * DynamoDB's answers to a request whose signature or credentials it could not accept. It
 * executed nothing, so sending the same call again is safe.
 */
const SIGNING_REFUSALS: ReadonlySet<string> = new Set([
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
]);

/** Whether DynamoDB refused a request for its signature or credentials. */
export function isSigningRefusal(e: unknown): boolean {
  return e instanceof Error && SIGNING_REFUSALS.has(e.name);
}

/**
 * `wire`, falling back for good to the DynamoDB port `loadSdk` makes (on first need) once
 * DynamoDB refuses one of its requests' signature; `report` is told once, with the error.
 */
export function withSdkFallback(
  wire: DocumentDb,
  loadSdk: () => Promise<DocumentDb>,
  report: (message: string, error: Error) => void,
): DocumentDb {
  let sdk: Promise<DocumentDb> | undefined;
  return {
    async send<O extends DocumentOperation>(
      command: DocumentCommand<O>,
    ): Promise<DocumentOperations[O]['output']> {
      if (sdk) return (await sdk).send(command);
      try {
        return await wire.send(command);
      } catch (e) {
        if (!isSigningRefusal(e)) throw e;
        if (!sdk) {
          report(
            `DynamoDB refused presence-ha's own request signing (${(e as Error).name}); this function instance now uses the AWS SDK, ` +
              'which costs about 200 ms at each cold start. Deploy with -c sdkDynamoDb=true to use the SDK from the start, ' +
              'and report this error with the region.',
            e as Error,
          );
          sdk = loadSdk();
        }
        return (await sdk).send(command);
      }
    },
  };
}
