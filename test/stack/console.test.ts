/**
 * The console on AWS, synthesized: a private bucket read by CloudFront through origin
 * access control, the API on the same distribution under /v1/*, Cognito's hosted UI with
 * the code flow for the distribution's URL, the admins and readers groups, prg/admin
 * given to admins only, and the built console uploaded by the stack with its config.json.
 * On by default, off with `-c console=false`.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_IDS } from '../../lambdas/contract';
import { consoleSourceHash } from '../../console/build';
import { VITE_BUILD } from '../../lib/constructs/console';
import { buildStack } from './lib/synth';

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };
let template: Template;
let resources: Record<string, Resource>;
let nagErrors: string[];
let outdir: string;

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const only = (type: string): [string, Resource] => {
  const found = ofType(type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};

beforeAll(() => {
  // The default deployment: no `console` context at all.
  const { app, stack } = buildStack({
    context: { '@aws-cdk/core:annotationsInValidationReport': false },
    aspects: [new AwsSolutionsChecks({ reports: false })],
  });
  template = Template.fromStack(stack);
  outdir = app.outdir;
  resources = template.toJSON().Resources;
  nagErrors = [
    ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
  ].map((f) => `${f.id}: ${String(f.entry.data)}`);
});

describe('the console on AWS', () => {
  it('is on by default; console=false deploys the API alone and leaves the pool’s plan alone', () => {
    expect(ofType('AWS::CloudFront::Distribution')).toHaveLength(1);
    const plain = Template.fromStack(buildStack({ context: { console: 'false' } }).stack);
    const json = plain.toJSON();
    for (const type of [
      'AWS::CloudFront::Distribution',
      'AWS::S3::Bucket',
      'Custom::CDKBucketDeployment',
      'AWS::Cognito::UserPoolGroup',
    ]) {
      plain.resourceCountIs(type, 0);
    }
    plain.resourceCountIs('AWS::Lambda::Function', FUNCTION_IDS.length);
    plain.resourceCountIs('AWS::Cognito::UserPoolClient', 2);
    expect(Object.keys(json.Outputs)).not.toContain('ConsoleUrl');
    const [pool] = Object.values(json.Resources as Record<string, Resource>).filter(
      (r) => r.Type === 'AWS::Cognito::UserPool',
    );
    expect(pool!.Properties.UserPoolTier).toBeUndefined();
    expect(pool!.Properties.LambdaConfig).toBeUndefined();
    expect(() => buildStack({ context: { console: 'maybe' } })).toThrow(/console must be true or false/);
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
    // No page rewrite on the API's paths, and no distribution-wide error pages that would
    // turn the API's 403 (a reader acting) or 404 into index.html.
    expect(api.FunctionAssociations).toBeUndefined();
    expect(config.CustomErrorResponses).toBeUndefined();
  });

  it('answers a page path of the app with index.html, and files as they are', () => {
    const [, dist] = only('AWS::CloudFront::Distribution');
    const [fnId, fn] = only('AWS::CloudFront::Function');
    expect(dist.Properties.DistributionConfig.DefaultCacheBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fnId, 'FunctionARN'] } },
    ]);
    expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    // The function's own code, run on the requests CloudFront would hand it.
    const sandbox: { handler?: (e: any) => { uri: string } } = {};
    runInNewContext(fn.Properties.FunctionCode, sandbox);
    const uri = (path: string) => sandbox.handler!({ request: { uri: path } }).uri;
    expect(uri('/groups/imp-a')).toBe('/index.html');
    expect(uri('/')).toBe('/index.html');
    expect(uri('/assets/index-BmOq1GH7.js')).toBe('/assets/index-BmOq1GH7.js');
    expect(uri('/config.json')).toBe('/config.json');
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
    // The code-flow clients are the console's and prg login's (test/stack/cliLogin.test.ts).
    const consoles = clients.filter(
      ([id, c]) => c.Properties.AllowedOAuthFlows?.includes('code') && !id.includes('CliClient'),
    );
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
    expect(clients).toHaveLength(4);
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

  it('builds and uploads the console itself: hashed assets first, then index.html and config.json, then invalidates', () => {
    const [bucketId] = only('AWS::S3::Bucket');
    const [, dist] = only('AWS::CloudFront::Distribution');
    const deployments = ofType('Custom::CDKBucketDeployment');
    expect(deployments).toHaveLength(2);
    const [[assetsId, assets], [, site]] = deployments.sort(([, a]) => (a.Properties.Prune ? 1 : -1)) as [
      [string, Resource],
      [string, Resource],
    ];
    for (const d of [assets, site]) {
      expect(d.Properties.DestinationBucketName).toEqual({ Ref: bucketId });
      // The bucket is retained (deletion protection), and so are its files.
      expect(d.Properties.RetainOnDelete).toBe(true);
    }
    expect(assets.Properties).toMatchObject({
      Exclude: ['*'],
      Include: ['assets/*'],
      Prune: false,
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    expect(assets.Properties.DistributionId).toBeUndefined();
    expect(site.Properties).toMatchObject({
      Exclude: ['assets/*'],
      Prune: true,
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionPaths: ['/*'],
      WaitForDistributionInvalidation: true,
    });
    expect(site.Properties.DistributionId).toEqual({
      Ref: Object.keys(resources).find((id) => resources[id] === dist),
    });
    expect(site.DependsOn).toContain(assetsId);
    // The same build in both (built once); config.json beside it in the second.
    const [build] = assets.Properties.SourceObjectKeys as string[];
    expect(assets.Properties.SourceObjectKeys).toHaveLength(1);
    expect(site.Properties.SourceObjectKeys).toHaveLength(2);
    expect(site.Properties.SourceObjectKeys[0]).toBe(build);
  });

  it('without deletion protection, takes the files with the stack so the bucket can go too', () => {
    const json = Template.fromStack(buildStack({ props: { deletionProtection: false } }).stack).toJSON();
    const all = Object.values(json.Resources as Record<string, Resource & { DeletionPolicy?: string }>);
    const deployments = all.filter((r) => r.Type === 'Custom::CDKBucketDeployment');
    expect(deployments.map((d) => d.Properties.RetainOnDelete)).toEqual([false, false]);
    expect(all.find((r) => r.Type === 'AWS::S3::Bucket')!.DeletionPolicy).toBe('Delete');
  });

  it('writes config.json from the stack: hosted UI domain, the console client, the distribution as redirect', () => {
    const [, site] = ofType('Custom::CDKBucketDeployment').find(([, d]) => d.Properties.Prune)!;
    const key = (site.Properties.SourceObjectKeys as string[])[1]!.replace(/\.zip$/, '');
    const staged = join(outdir, `asset.${key}`);
    expect(readdirSync(staged)).toEqual(['config.json']);
    // Deploy-time values are markers in the file, resolved by CloudFormation at deploy time.
    const markers = site.Properties.SourceMarkers[1] as Record<string, unknown>;
    const text = readFileSync(join(staged, 'config.json'), 'utf8').replace(/<<marker:0xbaba:\d+>>/g, (m) =>
      `{${JSON.stringify(markers[m])}}`.replace(/"/g, "'"),
    );
    const config = JSON.parse(text) as {
      auth: string;
      live: string;
      cognito: { domain: string; clientId: string; redirectUri: string };
    };
    expect(config.auth).toBe('cognito');
    expect(config.live).toBe('poll');
    const [clientId] = ofType('AWS::Cognito::UserPoolClient').find(([id]) => /ConsoleClient/.test(id))!;
    expect(config.cognito.domain).toMatch(
      /^https:\/\/\{.*ApiUserPoolDomain.*\}\.auth\.\{.*AWS::Region.*\}\./,
    );
    expect(config.cognito.clientId).toBe(`{{'Ref':'${clientId}'}}`);
    expect(config.cognito.redirectUri).toMatch(
      /^https:\/\/\{.*ConsoleDistribution[A-Z0-9]+','DomainName'.*\}\/$/,
    );
  });

  it('tells the deployer the console URL and its bucket', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(JSON.stringify(outputs.ConsoleUrl!.Value)).toMatch(
      /\["https:\/\/",\{"Fn::GetAtt":\["ConsoleDistribution[A-Z0-9]+","DomainName"\]\},"\/"\]/,
    );
    expect(outputs.ConsoleBucketName).toBeDefined();
  });

  it('names the build by what it is made of, so an unchanged console is not built again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prg-console-src-'));
    try {
      writeFileSync(join(dir, 'a.ts'), 'export const a = 1;');
      const before = consoleSourceHash([dir]);
      expect(consoleSourceHash([dir])).toBe(before);
      writeFileSync(join(dir, 'a.ts'), 'export const a = 2;');
      expect(consoleSourceHash([dir])).not.toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds the production console into the asset directory (Vite, as `cdk deploy` runs it)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prg-console-asset-'));
    try {
      expect(VITE_BUILD.tryBundle(dir, {} as never)).toBe(true);
      const html = readFileSync(join(dir, 'index.html'), 'utf8');
      const scripts = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
      expect(scripts.some((f) => f.endsWith('.js'))).toBe(true);
      for (const f of scripts) expect(existsSync(join(dir, f)), f).toBe(true);
      // config.json is the stack's, never the build's.
      expect(existsSync(join(dir, 'config.json'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('leaves cdk-nag nothing unexplained', () => {
    expect(nagErrors).toEqual([]);
  });
});
