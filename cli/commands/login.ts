import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { examples } from '../args';
import { configPath } from '../config';
import { context } from '../context';
import { usageError } from '../errors';
import { browserLogin, clientCredentials, type TokenSet } from '../login/oauth';
import { fetchClientSecret } from '../login/secret';
import { readStackOutputs, sessionPath, writeSession, type Session } from '../login/session';

/** The loopback port of the browser sign-in when the outputs name none: the CLI client's registered callback. */
export const DEFAULT_REDIRECT_PORT = 53682;

interface LoginOptions {
  outputs: string;
  stack?: string;
  browser?: boolean;
  clientId?: string;
  clientSecret?: string;
  fetchSecret?: boolean;
  scope: string;
  noOpen?: boolean;
  port?: string;
}

/** Tries to open a browser; the URL is printed anyway, for machines without one. */
function openBrowser(url: string): void {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    spawn(command, [url], { stdio: 'ignore', detached: true })
      .on('error', () => undefined)
      .unref();
  } catch {
    // No browser here: the printed URL is the way.
  }
}

/** `prg login`: a Cognito token for the stack of a `cdk deploy --outputs-file`, cached and renewed. */
export function registerLogin(program: Command): void {
  program
    .command('login')
    .description('get a token from the stack’s Cognito and keep it (renewed when it expires)')
    .requiredOption('--outputs <file>', 'the file `cdk deploy --outputs-file <file>` wrote')
    .option('--stack <name>', 'the stack in the outputs file, when it holds several')
    .option('--browser', 'sign in as a person in a browser (authorization code + PKCE)')
    .option('--client-id <id>', 'app client id (default: AppClientId, or CliClientId with --browser)')
    .option('--client-secret <secret>', 'client secret for client credentials (else PRG_CLIENT_SECRET)')
    .option(
      '--fetch-secret',
      'read the client secret from Cognito with your AWS credentials (cognito-idp:DescribeUserPoolClient)',
    )
    .option('--scope <scope>', 'prg/admin or prg/read', 'prg/admin')
    .option('--no-open', 'only print the sign-in URL, do not start a browser')
    .option('--port <port>', 'loopback port of the browser sign-in (must match the client’s callback URL)')
    .addHelpText(
      'after',
      `${examples(
        'PRG_CLIENT_SECRET=… prg login --outputs cdk-outputs.json',
        'prg login --outputs cdk-outputs.json --fetch-secret',
        'prg login --outputs cdk-outputs.json --scope prg/read --client-id <ReadOnlyAppClientId>',
        'prg login --outputs cdk-outputs.json --browser',
      )}

The token is kept in session.json beside the config file (owner-only) and used when no
--token, PRG_TOKEN or config-file token is given. docs/stack.md has the details.`,
    )
    .action(async (opts: LoginOptions, cmd: Command) => {
      const ctx = context(cmd);
      const outputs = readStackOutputs(opts.outputs, opts.stack);
      const tokenUrl = outputs.TokenUrl;
      let session: Session;
      if (opts.browser) {
        const clientId = opts.clientId ?? outputs.CliClientId;
        if (!clientId) {
          throw usageError('the stack outputs have no CliClientId for a browser sign-in', [
            'Pass --client-id with a public app client whose callback URL is http://localhost:<port>/callback.',
          ]);
        }
        const port = Number(opts.port ?? outputs.CliRedirectPort ?? DEFAULT_REDIRECT_PORT);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw usageError('--port must be a TCP port');
        const token: TokenSet = await browserLogin({
          authorizeUrl: tokenUrl.replace(/\/oauth2\/token$/, '/oauth2/authorize'),
          tokenUrl,
          clientId,
          scope: opts.scope,
          port,
          open: (url) => {
            process.stderr.write(`Sign in at:\n  ${url}\n`);
            if (opts.noOpen !== true && process.env.PRG_NO_BROWSER !== '1') openBrowser(url);
          },
        });
        session = {
          url: outputs.ApiUrl.replace(/\/+$/, ''),
          tokenUrl,
          clientId,
          scope: opts.scope,
          grant: 'authorization_code',
          token,
        };
      } else {
        const clientId = opts.clientId ?? outputs.AppClientId;
        if (!clientId) throw usageError('the stack outputs have no AppClientId', ['Pass --client-id.']);
        if (opts.fetchSecret && opts.clientSecret)
          throw usageError('--fetch-secret and --client-secret: give one way to the secret');
        let userPoolId: string | undefined;
        if (opts.fetchSecret) {
          userPoolId = outputs.UserPoolId;
          if (!userPoolId)
            throw usageError('the stack outputs have no UserPoolId to read the secret from', [
              'Pass --client-secret or set PRG_CLIENT_SECRET.',
            ]);
        }
        const secret = userPoolId
          ? await fetchClientSecret(userPoolId, clientId)
          : (opts.clientSecret ?? process.env.PRG_CLIENT_SECRET);
        if (!secret) {
          throw usageError('client credentials need the app client’s secret', [
            'Pass --fetch-secret to read it from Cognito with your AWS credentials,',
            'or --client-secret, or set PRG_CLIENT_SECRET (the Cognito console shows it under the app client).',
          ]);
        }
        const token = await clientCredentials(tokenUrl, { id: clientId, secret }, opts.scope);
        session = {
          url: outputs.ApiUrl.replace(/\/+$/, ''),
          tokenUrl,
          clientId,
          scope: opts.scope,
          grant: 'client_credentials',
          ...(opts.clientSecret ? { clientSecret: opts.clientSecret } : {}),
          // Not kept: read again from Cognito when the token needs renewing.
          ...(userPoolId ? { userPoolId } : {}),
          token,
        };
      }
      const path = sessionPath(configPath());
      writeSession(path, session);
      ctx.out.line(
        `Logged in to ${session.url} with scope ${session.scope}; the token is valid until ${new Date(session.token.expiresAt).toISOString()} and is renewed by itself (${path}).`,
      );
    });
}
