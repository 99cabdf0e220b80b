/**
 * The console on AWS, synthesized: a private bucket read by CloudFront through origin
 * access control, the API on the same distribution under /v1/*, Cognito's hosted UI with
 * the code flow for the distribution's URL, the admins and readers groups, and prg/admin
 * given to admins only. Off by default, on with `-c console=true`.
 */
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInNewContext } from 'node:vm';
import { buildStack } from './lib/synth';

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };
let template: Template;
let resources: Record<string, Resource>;
let nagErrors: string[];

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const only = (type: string): [string, Resource] => {
  const found = ofType(type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};

beforeAll(() => {
  const { stack } = buildStack({
    context: { console: 'true', '@aws-cdk/core:annotationsInValidationReport': false },
    aspects: [new AwsSolutionsChecks({ reports: false })],
  });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
  nagErrors = [
    ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
  ].map((f) => `${f.id}: ${String(f.entry.data)}`);
});

describe('the console on AWS', () => {
  it('is off unless asked for', () => {
    const plain = Template.fromStack(buildStack().stack);
    plain.resourceCountIs('AWS::CloudFront::Distribution', 0);
    expect(Object.keys(plain.toJSON().Outputs)).not.toContain('ConsoleUrl');
  });

  it('keeps the files in a private, encrypted, TLS-only bucket readable by the distribution only', () => {
    const [bucketId, bucket] = only('AWS::S3::Bucket');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const [, policy] = only('AWS::S3::BucketPolicy');
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({
          Effect: 'Allow',
          Action: 's3:GetObject',
          Principal: { Service: 'cloudfront.amazonaws.com' },
        }),
      ]),
    );
    expect(JSON.stringify(policy.Properties.Bucket)).toContain(bucketId);
  });

  it('serves it through CloudFront with origin access control, and /v1/* from the HTTP API uncached', () => {
    const [oacId, oac] = only('AWS::CloudFront::OriginAccessControl');
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    const [, dist] = only('AWS::CloudFront::Distribution');
    const config = dist.Properties.DistributionConfig;
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    const s3 = config.Origins.find((o: any) => o.S3OriginConfig);
    expect(s3.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    const [api] = config.CacheBehaviors as any[];
    expect(config.CacheBehaviors).toHaveLength(1);
    expect(api).toMatchObject({
      PathPattern: '/v1/*',
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      // Managed policies: CachingDisabled, AllViewerExceptHostHeader.
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
    });
    const apiOrigin = config.Origins.find((o: any) => o.Id === api.TargetOriginId);
    expect(JSON.stringify(apiOrigin.DomainName)).toContain('HttpApi');
    expect(apiOrigin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
  });

  it('sends the console’s security headers: a CSP without inline code, no framing', () => {
    const [, policy] = only('AWS::CloudFront::ResponseHeadersPolicy');
    const security = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(JSON.stringify(security.ContentSecurityPolicy)).toContain("script-src 'self'");
    expect(JSON.stringify(security.ContentSecurityPolicy)).not.toContain('unsafe-inline');
    expect(security.FrameOptions.FrameOption).toBe('DENY');
  });

  it('signs in with the hosted UI: code flow, no secret, callback to the distribution, both scopes asked', () => {
    const clients = ofType('AWS::Cognito::UserPoolClient');
    const consoles = clients.filter(([, c]) => c.Properties.AllowedOAuthFlows?.includes('code'));
    expect(consoles).toHaveLength(1);
    const [clientId, client] = consoles[0]!;
    expect(client.Properties).toMatchObject({
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      GenerateSecret: false,
      SupportedIdentityProviders: ['COGNITO'],
    });
    expect(client.Properties.AllowedOAuthScopes).toEqual(['openid', 'prg/admin', 'prg/read']);
    for (const urls of [client.Properties.CallbackURLs, client.Properties.LogoutURLs]) {
      expect(urls).toHaveLength(1);
      expect(JSON.stringify(urls[0])).toMatch(/ConsoleDistribution[A-Z0-9]+","DomainName"/);
    }
    // The API's authorizer admits the console's tokens as well as the two machine clients'.
    const [, authorizer] = only('AWS::ApiGatewayV2::Authorizer');
    const audience = JSON.stringify(authorizer.Properties.JwtConfiguration.Audience);
    for (const [id] of clients) expect(audience).toContain(id);
    expect(clients).toHaveLength(3);
    expect(clientId).toMatch(/ConsoleClient/);
  });

  it('has the admins and readers groups, and gives prg/admin to admins only', async () => {
    const groups = ofType('AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName);
    expect(groups.sort()).toEqual(['admins', 'readers']);
    const [, pool] = only('AWS::Cognito::UserPool');
    expect(pool.Properties.UserPoolTier).toBe('ESSENTIALS');
    const trigger = pool.Properties.LambdaConfig.PreTokenGenerationConfig;
    expect(trigger.LambdaVersion).toBe('V2_0');
    const [, fn] = ofType('AWS::Lambda::Function').find(([id]) =>
      JSON.stringify(trigger.LambdaArn).includes(id),
    )!;
    // The trigger's own code, run on the events Cognito would send.
    const module = { exports: {} as { handler: (e: any) => Promise<any> } };
    runInNewContext(fn.Properties.Code.ZipFile, { exports: module.exports, module });
    const suppressed = async (groupsToOverride: string[]) =>
      (await module.exports.handler({ request: { groupConfiguration: { groupsToOverride } }, response: {} }))
        .response.claimsAndScopeOverrideDetails.accessTokenGeneration.scopesToSuppress;
    expect(await suppressed(['admins'])).toEqual([]);
    expect(await suppressed(['readers'])).toEqual(['prg/admin']);
    expect(await suppressed([])).toEqual(['prg/admin', 'prg/read']);
  });

  it('tells the deployer the console URL, its bucket and its config', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(JSON.stringify(outputs.ConsoleUrl!.Value)).toMatch(/https:\/\/.*DomainName/);
    expect(outputs.ConsoleBucketName).toBeDefined();
    expect(JSON.stringify(outputs.ConsoleConfig!.Value)).toContain('cognito');
  });

  it('leaves cdk-nag nothing unexplained', () => {
    expect(nagErrors).toEqual([]);
  });
});
