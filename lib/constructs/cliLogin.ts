import { CfnOutput, Lazy, Stack } from 'aws-cdk-lib';
import { CfnAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { publicSignInClient, type Api } from './api';

/**
 * The loopback port `prg login --browser` listens on for Cognito's redirect. Cognito
 * matches callback URLs exactly, port included, so the client registers this one and the
 * stack outputs it (`CliRedirectPort`); the CLI's default is the same number.
 */
export const CLI_REDIRECT_PORT = 53682;

/** The callback URL of the CLI's browser sign-in. */
export const CLI_CALLBACK_URL = `http://localhost:${CLI_REDIRECT_PORT}/callback`;

export interface CliLoginProps {
  readonly api: Api;
}

/**
 * The public app client `prg login --browser` signs people in with: authorization code
 * with PKCE (no secret: a command line on a laptop cannot keep one) and a loopback
 * redirect, as cloud CLIs do. Its tokens are admitted by the API's JWT authorizer. Which
 * scopes a person gets is the user pool's business: the console's pre-token trigger gives
 * prg/admin to the `admins` group only, so the stack adds this client only with the console.
 */
export class CliLogin extends Construct {
  readonly client: UserPoolClient;

  constructor(scope: Construct, id: string, props: CliLoginProps) {
    super(scope, id);
    const { api } = props;
    const pool = api.userPool;
    // A working day: prg renews the access token with the refresh token, then asks for a new sign-in.
    this.client = pool.addClient('CliClient', publicSignInClient([CLI_CALLBACK_URL]));
    this.client.node.addDependency(pool.node.findChild('ResourceServer'));

    // The JWT authorizer admits access tokens by client id. The console overrides the list
    // with its own client added; this override comes later and lists every client of the
    // pool when the template is written, so the console's stays in and this one joins it.
    const authorizer = api.httpApi.node.findAll().find((c): c is CfnAuthorizer => c instanceof CfnAuthorizer);
    if (!authorizer) throw new Error('prg login needs the API’s JWT authorizer, and found none.');
    authorizer.addPropertyOverride(
      'JwtConfiguration.Audience',
      Lazy.list({
        produce: () =>
          pool.node.children
            .filter((c): c is UserPoolClient => c instanceof UserPoolClient)
            .map((c) => c.userPoolClientId),
      }),
    );

    const stack = Stack.of(this);
    new CfnOutput(stack, 'CliClientId', {
      value: this.client.userPoolClientId,
      description: 'Public app client of prg login --browser (authorization code + PKCE, loopback redirect)',
    });
    new CfnOutput(stack, 'CliRedirectPort', {
      value: String(CLI_REDIRECT_PORT),
      description: `prg login --browser listens on this port; the client's callback is ${CLI_CALLBACK_URL}`,
    });
  }
}
