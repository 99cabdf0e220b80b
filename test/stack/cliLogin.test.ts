/**
 * `prg login --browser` on AWS: a public app client with the authorization code flow and
 * the CLI's loopback callback, admitted by the API's JWT authorizer next to the other
 * clients, and the outputs `prg login` reads from `cdk deploy --outputs-file`. Only with
 * the console, whose pre-token trigger gives prg/admin to the admins group alone.
 */
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REDIRECT_PORT } from '../../cli/commands/login';
import { CLI_CALLBACK_URL, CLI_REDIRECT_PORT } from '../../lib/constructs/cliLogin';
import { buildStack } from './lib/synth';

type Resource = { Type: string; Properties: Record<string, any> };

function synth(context: Record<string, unknown> = {}) {
  const { stack } = buildStack({
    context: { '@aws-cdk/core:annotationsInValidationReport': false, ...context },
    aspects: [new AwsSolutionsChecks({ reports: false })],
  });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const clients = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Cognito::UserPoolClient');
  const authorizer = Object.values(resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Authorizer')!;
  const errors = Annotations.fromStack(stack)
    .findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))
    .map((e) => String(e.entry.data));
  return { stack, template, clients, authorizer, errors };
}

let withConsole: ReturnType<typeof synth>;
beforeAll(() => {
  withConsole = synth();
});

const cliClient = (s: ReturnType<typeof synth>) => s.clients.find(([id]) => id.includes('CliClient'));

describe('the CLI sign-in client', () => {
  it('is public, code flow with PKCE, and calls back to the CLI’s loopback listener only', () => {
    const [, client] = cliClient(withConsole)!;
    expect(client.Properties.GenerateSecret).toBe(false);
    expect(client.Properties.AllowedOAuthFlows).toEqual(['code']);
    expect(client.Properties.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(client.Properties.CallbackURLs).toEqual([CLI_CALLBACK_URL]);
    expect(client.Properties.AllowedOAuthScopes.sort()).toEqual(['openid', 'prg/admin', 'prg/read']);
    expect(client.Properties.SupportedIdentityProviders).toEqual(['COGNITO']);
    expect(client.Properties.EnableTokenRevocation).toBe(true);
  });

  it('registers the port the CLI listens on by default', () => {
    expect(CLI_REDIRECT_PORT).toBe(DEFAULT_REDIRECT_PORT);
    expect(CLI_CALLBACK_URL).toBe(`http://localhost:${DEFAULT_REDIRECT_PORT}/callback`);
  });

  it('is admitted by the API’s JWT authorizer, with the console’s and both client-credentials clients', () => {
    const audience = withConsole.authorizer.Properties.JwtConfiguration.Audience as { Ref: string }[];
    const refs = audience.map((a) => a.Ref).sort();
    expect(refs).toEqual(withConsole.clients.map(([id]) => id).sort());
    expect(refs).toHaveLength(4);
    expect(refs.some((r) => r.includes('CliClient'))).toBe(true);
    expect(refs.some((r) => r.includes('ConsoleClient'))).toBe(true);
  });

  it('gives prg login its outputs: CliClientId, CliRedirectPort, and UserPoolId for --fetch-secret', () => {
    const [id] = cliClient(withConsole)!;
    withConsole.template.hasOutput('CliClientId', { Value: { Ref: id } });
    withConsole.template.hasOutput('CliRedirectPort', { Value: String(DEFAULT_REDIRECT_PORT) });
    withConsole.template.hasOutput('UserPoolId', {});
    withConsole.template.hasOutput('AppClientId', {});
  });

  it('adds no cdk-nag finding', () => {
    expect(withConsole.errors.filter((e) => e.includes('CliLogin'))).toEqual([]);
  });

  it('is absent without the console (no trigger would scope people), and the audience is the two client-credentials clients', () => {
    const without = synth({ console: false });
    expect(cliClient(without)).toBeUndefined();
    expect(Object.keys(without.template.toJSON().Outputs)).not.toContain('CliClientId');
    expect(without.authorizer.Properties.JwtConfiguration.Audience).toHaveLength(2);
  });
});
