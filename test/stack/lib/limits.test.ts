/**
 * Issue 10, item 1 on AWS: per-route throttles and reserved concurrency sized from the
 * declared fleet, the node token key, and the optional CloudFront + WAF front.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_LIST } from '../../../lambdas/contract';
import { readFleetConfig, throttlePlan, type FleetConfig } from '../../../lib/config';
import { HEARTBEAT_ROUTE } from '../../../lib/constructs/api';
import { buildStack } from './synth';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

function synth(context: Record<string, unknown> = {}, props: Parameters<typeof buildStack>[0] = {}) {
  const template = Template.fromStack(buildStack({ context, ...props }).stack);
  return { template, resources: template.toJSON().Resources as Resources };
}

const ofType = (resources: Resources, type: string) =>
  Object.values(resources).filter((r) => r.Type === type);

function heartbeatFunction(resources: Resources) {
  return Object.values(resources).find(
    (r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description ?? '').match(/heartbeat/i),
  )!;
}

const US_EAST_1 = { env: { account: '123456789012', region: 'us-east-1' } };
const WAF_CONTEXT = {
  console: true,
  front: 'waf',
  apiDomainName: 'api.prg.example.com',
  apiCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
  wafRequestsPerIpPer5Min: 3000,
};

/** The default deployment, synthesized once for the tests that only read it. */
let byDefault: ReturnType<typeof synth>;
beforeAll(() => {
  byDefault = synth();
}, 180_000);

describe('limits sized from the fleet', () => {
  it('the heartbeat route has its own bucket sized from the fleet; every other route its own', () => {
    const { resources } = byDefault;
    const [stage] = ofType(resources, 'AWS::ApiGatewayV2::Stage');
    const plan = throttlePlan({ fleetSize: 1000, heartbeatIntervalSeconds: 15 });
    expect(plan.heartbeat).toEqual({ rateLimit: 134, burstLimit: 1000 });
    const settings = stage!.Properties.RouteSettings as Record<string, any>;
    const served = ROUTE_LIST.filter((r) => !r.spec.stream).map((r) => r.key);
    expect(Object.keys(settings).sort()).toEqual([...served].sort());
    expect(settings[HEARTBEAT_ROUTE]).toEqual({ ThrottlingRateLimit: 134, ThrottlingBurstLimit: 1000 });
    for (const key of served.filter((k) => k !== HEARTBEAT_ROUTE)) {
      expect(settings[key], key).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    }
    expect(stage!.Properties.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: 50,
      ThrottlingBurstLimit: 100,
    });
  });

  it('only the heartbeat function has reserved concurrency, enough for its route at the limit', () => {
    const { resources } = byDefault;
    expect(heartbeatFunction(resources).Properties.ReservedConcurrentExecutions).toBe(34);
    const reserved = ofType(resources, 'AWS::Lambda::Function').filter(
      (f) => f.Properties.ReservedConcurrentExecutions !== undefined,
    );
    expect(reserved).toHaveLength(1);
  });

  it('a larger fleet gets larger limits (burst capped at API Gateway’s 5,000); reserved concurrency can be turned off', () => {
    const big = synth({ fleetSize: 10000, heartbeatIntervalSeconds: '10' }).resources;
    const [stage] = ofType(big, 'AWS::ApiGatewayV2::Stage');
    expect(stage!.Properties.RouteSettings[HEARTBEAT_ROUTE]).toEqual({
      ThrottlingRateLimit: 2000,
      ThrottlingBurstLimit: 5000,
    });
    expect(heartbeatFunction(big).Properties.ReservedConcurrentExecutions).toBe(500);
    const none = synth({ heartbeatReservedConcurrency: 0 }).resources;
    expect(heartbeatFunction(none).Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('refuses a fleet context that is not a whole number', () => {
    expect(() => readFleetConfig((k) => ({ fleetSize: 'lots' })[k])).toThrow(/fleetSize/);
    expect(() => readFleetConfig((k) => ({ heartbeatIntervalSeconds: 0 })[k])).toThrow(
      /heartbeatIntervalSeconds/,
    );
  });
});

describe('the node token key', () => {
  it('is a generated secret that only the nodes and heartbeat functions can read, named in their environment', () => {
    const { template, resources } = byDefault;
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'current', PasswordLength: 64 }),
    });
    const withSecret = ofType(resources, 'AWS::Lambda::Function').filter(
      (f) => f.Properties.Environment?.Variables?.PRG_NODE_TOKEN_SECRET_ID !== undefined,
    );
    expect(withSecret.map((f) => String(f.Properties.Description)).length).toBe(2);
    const readers = ofType(resources, 'AWS::IAM::Policy').filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('secretsmanager:GetSecretValue'),
    );
    expect(readers).toHaveLength(2);
  });
});

describe('the optional WAF front', () => {
  it('is off by default: no web ACL, and the execute-api endpoint stays on', () => {
    const { resources } = byDefault;
    expect(ofType(resources, 'AWS::WAFv2::WebACL')).toHaveLength(0);
    expect(ofType(resources, 'AWS::ApiGatewayV2::Api')[0]!.Properties.DisableExecuteApiEndpoint).toBeFalsy();
  });

  it('puts a CloudFront-scoped web ACL with a rate rule per IP on the console’s distribution, and turns execute-api off', () => {
    const { template, resources } = synth(WAF_CONTEXT, { props: US_EAST_1 });
    const [acl] = ofType(resources, 'AWS::WAFv2::WebACL');
    expect(acl!.Properties.Scope).toBe('CLOUDFRONT');
    expect(acl!.Properties.Rules).toEqual([
      expect.objectContaining({
        Action: { Block: {} },
        Statement: { RateBasedStatement: { Limit: 3000, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } },
      }),
    ]);
    const [distribution] = ofType(resources, 'AWS::CloudFront::Distribution');
    expect(JSON.stringify(distribution!.Properties.DistributionConfig.WebACLId)).toMatch(
      /FrontWafWebAcl.*Arn/,
    );
    expect(ofType(resources, 'AWS::ApiGatewayV2::Api')[0]!.Properties.DisableExecuteApiEndpoint).toBe(true);
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'api.prg.example.com' });
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    // CloudFront forwards /v1/* to the custom domain, the only way left in.
    expect(JSON.stringify(distribution!.Properties.DistributionConfig.Origins)).toMatch(/ApiDomainName/);
  });

  it('adds the AWS managed rule groups when asked', () => {
    const { resources } = synth({ ...WAF_CONTEXT, wafManagedRules: 'true' }, { props: US_EAST_1 });
    const names = (ofType(resources, 'AWS::WAFv2::WebACL')[0]!.Properties.Rules as { Name: string }[]).map(
      (r) => r.Name,
    );
    expect(names).toEqual([
      'RatePerIp',
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesCommonRuleSet',
    ]);
  });

  it('says what is missing: a region other than us-east-1, no console, no custom domain', () => {
    expect(() =>
      synth(WAF_CONTEXT, { props: { env: { account: '123456789012', region: 'eu-west-1' } } }),
    ).toThrow(/us-east-1/);
    expect(() => synth(WAF_CONTEXT)).toThrow(/us-east-1/);
    expect(() => synth({ ...WAF_CONTEXT, console: false }, { props: US_EAST_1 })).toThrow(/console=true/);
    const fleet: FleetConfig = readFleetConfig((k) => ({ ...WAF_CONTEXT })[k as keyof typeof WAF_CONTEXT]);
    expect(fleet.front?.apiDomainName).toBe('api.prg.example.com');
    expect(() => readFleetConfig((k) => ({ front: 'waf' })[k])).toThrow(/apiDomainName/);
    expect(() => readFleetConfig((k) => ({ front: 'cloudflare' })[k])).toThrow(/front/);
  });
});
