/**
 * The API's access log: one line per request, so every heartbeat pays for one. It is the
 * record of who called what, so it keeps what an operator looks for (request, caller
 * address, route, status, latencies, app client, why a token or the function failed),
 * under short keys, in a log group of the cheaper Infrequent Access class.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ACCESS_LOG_FIELDS } from '../../lib/constructs/api';
import { buildStack } from './lib/synth';

describe('the API access log', { timeout: 120_000 }, () => {
  const template = Template.fromStack(buildStack().stack);
  const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage')) as {
    Properties: { AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [string, string] }; Format: string } };
  }[];

  it('writes the exported fields, each an operator needs, as JSON', () => {
    const format = JSON.parse(stage!.Properties.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toEqual(ACCESS_LOG_FIELDS);
    expect(Object.values(format).sort()).toEqual(
      [
        '$context.requestId',
        '$context.identity.sourceIp',
        '$context.routeKey',
        '$context.status',
        '$context.responseLatency',
        '$context.integrationLatency',
        '$context.responseLength',
        '$context.authorizer.claims.client_id',
        '$context.authorizer.error',
        '$context.integrationErrorMessage',
      ].sort(),
    );
  });

  it('goes to a log group of the Infrequent Access class, with a retention', () => {
    const [groupId] = stage!.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'];
    const group = template.toJSON().Resources[groupId] as { Properties: Record<string, unknown> };
    expect(group.Properties.LogGroupClass).toBe('INFREQUENT_ACCESS');
    expect(group.Properties.RetentionInDays).toEqual(expect.any(Number));
  });
});
