/**
 * The WAF front cannot be skipped (CloudFront sends an origin secret the functions
 * require), can guard a stack outside us-east-1 (a web ACL from the us-east-1 companion
 * stack), and the legacy node token window reaches the node functions.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_LEGACY_NODE_TOKENS_UNTIL,
  FRONT_ORIGIN_HEADER,
  FRONT_ORIGIN_SECRET_ENV,
  LEGACY_NODE_TOKENS_ENV,
} from '../../../lambdas/app';
import { DYNAMODB_CLIENT_ENV, ROUTE_LIST } from '../../../lambdas/contract';
import { readFleetConfig } from '../../../lib/config';
import { FrontWafStack } from '../../../lib/constructs/waf';
import { buildStack } from './synth';

type Resource = { Type: string; Properties: Record<string, any> };
type Resources = Record<string, Resource>;

function synth(context: Record<string, unknown> = {}, props: Parameters<typeof buildStack>[0] = {}) {
  const template = Template.fromStack(buildStack({ context, ...props }).stack);
  return { template, resources: template.toJSON().Resources as Resources };
}
const ofType = (resources: Resources, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

const ACL_ARN = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/presence-ha-front/0a1b2c3d-4e5f';
const WAF_CONTEXT = {
  console: true,
  front: 'waf',
  apiDomainName: 'api.prg.example.com',
  apiCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
};
const EU = { props: { env: { account: '123456789012', region: 'eu-west-1' } } };

/** The HTTP functions of a template, by logical id, with their environment. */
function functionsEnv(resources: Resources) {
  return ofType(resources, 'AWS::Lambda::Function').map(
    ([id, r]) => [id, (r.Properties.Environment?.Variables ?? {}) as Record<string, unknown>] as const,
  );
}

let waf: ReturnType<typeof synth>;
let plain: ReturnType<typeof synth>;
beforeAll(() => {
  waf = synth({ ...WAF_CONTEXT, wafAclArn: ACL_ARN }, EU);
  plain = synth({ legacyNodeTokensUntil: '2027-01-15T00:00:00Z', sdkDynamoDb: 'true' });
}, 240_000);

describe('the WAF front cannot be skipped through the API’s custom domain', () => {
  it('CloudFront sends the origin secret (from Secrets Manager) to the API origin only', () => {
    const [[, distribution]] = ofType(waf.resources, 'AWS::CloudFront::Distribution') as [[string, Resource]];
    const origins = distribution.Properties.DistributionConfig.Origins as Record<string, any>[];
    const api = origins.filter((o) => o.OriginCustomHeaders);
    expect(api).toHaveLength(1);
    expect(api[0]!.DomainName).not.toHaveProperty('Fn::GetAtt.0', expect.stringMatching(/Bucket/));
    expect(JSON.stringify(api[0]!.DomainName)).toMatch(/ApiDomainName/);
    const [header] = api[0]!.OriginCustomHeaders as { HeaderName: string; HeaderValue: unknown }[];
    expect(header!.HeaderName).toBe(FRONT_ORIGIN_HEADER);
    // A dynamic reference: the value is resolved by CloudFormation, never written in the template.
    expect(JSON.stringify(header!.HeaderValue)).toMatch(
      /\{\{resolve:secretsmanager:.*FrontOriginSecret.*:SecretString:current::\}\}/,
    );
    const [[secretId]] = ofType(waf.resources, 'AWS::SecretsManager::Secret').filter(([id]) =>
      id.startsWith('FrontOriginSecret'),
    ) as [[string, Resource]];
    expect(secretId).toBeDefined();
  });

  it('every function behind a route is told the secret, can read it, and has the secrets extension', () => {
    const routed = new Set(ROUTE_LIST.map((r) => r.spec.function));
    const env = functionsEnv(waf.resources);
    const guarded = env.filter(([, vars]) => vars[FRONT_ORIGIN_SECRET_ENV] !== undefined);
    expect(guarded.length).toBe(routed.size);
    const policies = JSON.stringify(ofType(waf.resources, 'AWS::IAM::Policy'));
    expect(policies.match(/FrontOriginSecret[A-Za-z0-9]*"\}/g)?.length ?? 0).toBeGreaterThanOrEqual(
      routed.size,
    );
    for (const [id] of guarded)
      expect(JSON.stringify(waf.resources[id]!.Properties.Layers)).toMatch(
        /ParametersAndSecrets|arn:aws:lambda/,
      );
    // The sweep and workflow tasks serve no route: no secret for them.
    expect(env.length).toBeGreaterThan(guarded.length);
  });

  it('without the front nothing is checked: no secret, no header, no variable', () => {
    expect(ofType(plain.resources, 'AWS::SecretsManager::Secret').map(([id]) => id)).not.toContainEqual(
      expect.stringMatching(/FrontOriginSecret/),
    );
    expect(JSON.stringify(plain.resources)).not.toContain(FRONT_ORIGIN_HEADER);
    expect(functionsEnv(plain.resources).some(([, v]) => v[FRONT_ORIGIN_SECRET_ENV] !== undefined)).toBe(
      false,
    );
  });
});

describe('the WAF front outside us-east-1', () => {
  it('a stack in eu-west-1 attaches the companion stack’s web ACL and makes none of its own', () => {
    expect(ofType(waf.resources, 'AWS::WAFv2::WebACL')).toHaveLength(0);
    const [[, distribution]] = ofType(waf.resources, 'AWS::CloudFront::Distribution') as [[string, Resource]];
    expect(distribution.Properties.DistributionConfig.WebACLId).toBe(ACL_ARN);
    expect(ofType(waf.resources, 'AWS::ApiGatewayV2::Api')[0]![1].Properties.DisableExecuteApiEndpoint).toBe(
      true,
    );
  });

  it('the companion stack makes the CloudFront web ACL in us-east-1 and outputs its ARN', () => {
    const app = new App();
    const companion = new FrontWafStack(app, 'PresenceHaFrontWaf', {
      env: { account: '123456789012', region: 'us-east-1' },
      requestsPerIpPer5Min: 3000,
      managedRules: false,
    });
    const template = Template.fromStack(companion);
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' });
    expect(Object.keys(template.toJSON().Resources)).toHaveLength(1);
    expect(template.toJSON().Outputs.WebAclArn.Value).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^FrontWafWebAcl/), 'Arn'],
    });
    expect(
      () =>
        new FrontWafStack(new App(), 'Elsewhere', {
          env: { account: '123456789012', region: 'eu-west-1' },
          requestsPerIpPer5Min: 3000,
          managedRules: false,
        }),
    ).toThrow(/us-east-1/);
  });

  it('without wafAclArn, a stack outside us-east-1 is told how to get one; a malformed ARN is refused', () => {
    expect(() => synth(WAF_CONTEXT, EU)).toThrow(/wafAclArn/);
    const context = { ...WAF_CONTEXT, wafAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/y' };
    expect(() => readFleetConfig((k) => context[k as keyof typeof context])).toThrow(/us-east-1/);
  });
});

describe('the legacy node token window', () => {
  it('reaches the node functions from context legacyNodeTokensUntil, by default the release’s end', () => {
    const windows = (resources: Resources) =>
      functionsEnv(resources)
        .map(([, v]) => v[LEGACY_NODE_TOKENS_ENV])
        .filter((v) => v !== undefined);
    expect(windows(plain.resources)).toEqual(['2027-01-15T00:00:00Z', '2027-01-15T00:00:00Z']);
    expect(windows(waf.resources)).toEqual([
      DEFAULT_LEGACY_NODE_TOKENS_UNTIL,
      DEFAULT_LEGACY_NODE_TOKENS_UNTIL,
    ]);
    expect(() => synth({ legacyNodeTokensUntil: 'after the upgrade' })).toThrow(/legacyNodeTokensUntil/);
  });
});

describe('the DynamoDB client of the untraced functions', () => {
  it('is the small signed one unless context sdkDynamoDb=true asks the heartbeat and public functions for the SDK', () => {
    const sdk = (resources: Resources) =>
      functionsEnv(resources)
        .filter(([, v]) => v[DYNAMODB_CLIENT_ENV] !== undefined)
        .map(([id, v]) => `${id.replace(/Function.*$/, '')}=${String(v[DYNAMODB_CLIENT_ENV])}`)
        .sort();
    expect(sdk(plain.resources)).toEqual(['Heartbeat=sdk', 'Public=sdk']);
    expect(sdk(waf.resources)).toEqual([]);
  });
});
