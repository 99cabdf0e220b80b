/**
 * The client secret of a client-credentials app client, read from Cognito with the
 * operator's own AWS credentials (the SDK's default chain: environment, shared profile,
 * SSO, instance or container role), so it never has to be copied by hand. The Cognito
 * SDK is loaded only here, when asked: the other commands do not pay for it.
 */
import { CliError, ExitCode, usageError } from '../errors';

/** The region of a user pool, from its id (`eu-west-1_AbC123`). */
export function regionOfUserPool(userPoolId: string): string {
  const region = /^([a-z]{2}(?:-[a-z]+)+-\d+)_[0-9A-Za-z]+$/.exec(userPoolId)?.[1];
  if (!region) throw usageError(`${userPoolId} is not a Cognito user pool id (like eu-west-1_AbC123)`);
  return region;
}

/**
 * DescribeUserPoolClient on the stack's pool. The caller needs
 * `cognito-idp:DescribeUserPoolClient` on it; errors say what was missing. The endpoint
 * is the SDK's (`AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` or `AWS_ENDPOINT_URL` move it).
 */
export async function fetchClientSecret(userPoolId: string, clientId: string): Promise<string> {
  const region = regionOfUserPool(userPoolId);
  const { CognitoIdentityProviderClient, DescribeUserPoolClientCommand } =
    await import('@aws-sdk/client-cognito-identity-provider');
  const client = new CognitoIdentityProviderClient({ region, maxAttempts: 2 });
  let secret: string | undefined;
  try {
    const out = await client.send(
      new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }),
    );
    secret = out.UserPoolClient?.ClientSecret;
  } catch (e) {
    const name = (e as Error).name;
    const message = (e as Error).message;
    if (name === 'CredentialsProviderError') {
      throw new CliError('no AWS credentials to read the client secret with', ExitCode.AUTH, [
        'Sign in to AWS first (aws sso login, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY),',
        'or pass the secret with --client-secret or PRG_CLIENT_SECRET.',
      ]);
    }
    if (name === 'AccessDeniedException' || name === 'NotAuthorizedException') {
      throw new CliError(`your AWS identity may not read app client ${clientId}: ${message}`, ExitCode.AUTH, [
        `It needs cognito-idp:DescribeUserPoolClient on user pool ${userPoolId}.`,
      ]);
    }
    if (name === 'ResourceNotFoundException') {
      throw usageError(`Cognito has no app client ${clientId} in user pool ${userPoolId} (${region})`, [
        'Is the outputs file from the stack you mean, and are your AWS credentials for its account?',
      ]);
    }
    throw new CliError(
      `could not read the client secret from Cognito (${region}): ${name}: ${message}`,
      ExitCode.FAILED,
    );
  } finally {
    client.destroy();
  }
  if (!secret) {
    throw usageError(`app client ${clientId} has no secret: it is not a client-credentials client`, [
      'Use --browser for a public client, or pass the AppClientId of the stack.',
    ]);
  }
  return secret;
}
