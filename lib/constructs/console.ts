import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CfnOutput, DockerImage, Duration, Fn, RemovalPolicy, Stack, type ILocalBundling } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  CfnUserPool,
  CfnUserPoolGroup,
  LambdaVersion,
  UserPoolOperation,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { CfnAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { CONSOLE_VITE_CONFIG, consoleSourceHash } from '../../console/build';
import { ADMIN_SCOPE, READ_SCOPE, publicSignInClient, type Api } from './api';

/** The Cognito groups of console users: only `admins` get prg/admin. */
export const CONSOLE_GROUPS = { admins: 'admins', readers: 'readers' } as const;

/**
 * The pre-token-generation trigger (event version 2, which may change access-token
 * scopes): prg/admin only for members of `admins`, prg/read for `admins` and `readers`,
 * neither for anyone else. Inline, since it is a dozen lines with no dependency.
 */
const SCOPE_TRIGGER = `
exports.handler = async (event) => {
  const groups = (event.request.groupConfiguration && event.request.groupConfiguration.groupsToOverride) || [];
  const admin = groups.includes(${JSON.stringify(CONSOLE_GROUPS.admins)});
  const reader = admin || groups.includes(${JSON.stringify(CONSOLE_GROUPS.readers)});
  const suppress = [];
  if (!admin) suppress.push(${JSON.stringify(ADMIN_SCOPE)});
  if (!reader) suppress.push(${JSON.stringify(READ_SCOPE)});
  event.response = { claimsAndScopeOverrideDetails: { accessTokenGeneration: { scopesToSuppress: suppress } } };
  return event;
};
`;

/**
 * Paths with no file extension (`/groups/imp`) are pages of the single-page app: CloudFront
 * answers them with index.html. Done per request on the bucket's behaviour only, not with
 * the distribution's error responses, which would also turn the API's 403 and 404 under
 * /v1/* into index.html.
 */
const SPA_FALLBACK = `
function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}
`;

/** The console's production build as the deployment's asset. */
const CONSOLE_ROOT = dirname(CONSOLE_VITE_CONFIG);

/**
 * Runs `vite build` into the asset's directory. CDK calls this hook synchronously, and
 * Vite builds asynchronously, so it runs in a child Node process. It never hands over to
 * Docker: it builds or it fails, saying what to do.
 */
export const VITE_BUILD: ILocalBundling = {
  tryBundle(outputDir: string): boolean {
    const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
    const args = [vite, 'build', '--config', CONSOLE_VITE_CONFIG, '--outDir', outputDir, '--emptyOutDir'];
    // stdout of a CDK app is not the deployer's terminal; Vite's warnings go to stderr.
    const run = spawnSync(process.execPath, args, { stdio: ['ignore', process.stderr, process.stderr] });
    if (run.status !== 0) {
      throw new Error(
        `The console's production build failed (vite ${run.error ? run.error.message : `exited with ${run.status}`}): run \`npm run console:build\` to see why, or deploy without the console with -c console=false.`,
      );
    }
    return true;
  },
};

export interface ConsoleProps {
  readonly api: Api;
  readonly deletionProtection: boolean;
  readonly logRetention: RetentionDays;
}

/**
 * The operator's console on AWS: the built files in a private S3 bucket behind CloudFront
 * (origin access control), `/v1/*` routed to the HTTP API so the console and the API are
 * one origin (no CORS), and sign-in through Cognito's hosted UI with the authorization
 * code flow and PKCE. The stack builds the console (Vite, only when its sources changed)
 * and deploys it with its config.json, then invalidates the distribution (docs/console.md).
 */
export class Console extends Construct {
  readonly bucket: Bucket;
  /** The distribution; the optional WAF front attaches its web ACL here (`attachWebAclId`). */
  readonly distribution: Distribution;
  readonly client: UserPoolClient;
  /** The pre-token-generation trigger that keeps prg/admin for the admins group. */
  readonly scopeTrigger: LambdaFunction;
  readonly url: string;
  /** Puts index.html, config.json and anything else outside assets/ in the bucket, then invalidates `/*`. */
  readonly deployment: BucketDeployment;

  constructor(scope: Construct, id: string, props: ConsoleProps) {
    super(scope, id);
    const { api } = props;
    const removalPolicy = props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
    });

    // The console's own rules, as the embedded default sends them (console/serve.ts).
    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'presence-ha console: no inline code, no framing, calls to this origin only',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: Fn.join('', [
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ",
            api.domain.baseUrl(),
            "; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
          ]),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
    });

    // The API's host: its custom domain behind the WAF front, else the execute-api host.
    const apiHost = api.originHost;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'presence-ha console and API on one origin',
      defaultRootObject: 'index.html',
      // No minimumProtocolVersion: with CloudFront's default certificate it has no effect (CFR4 below).
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        functionAssociations: [
          {
            eventType: FunctionEventType.VIEWER_REQUEST,
            function: new CloudFrontFunction(this, 'SpaFallback', {
              comment: 'presence-ha console: paths without an extension are pages of the app',
              code: FunctionCode.fromInline(SPA_FALLBACK),
              runtime: FunctionRuntime.JS_2_0,
            }),
          },
        ],
      },
      additionalBehaviors: {
        // The API, never cached, with every viewer header (Authorization included) but Host.
        '/v1/*': {
          origin: new HttpOrigin(apiHost),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        },
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}/`;

    const pool = api.userPool;
    // Only a V2 pre-token-generation event may change access-token scopes, and Cognito
    // runs V2 triggers only on the Essentials (or Plus) plan: docs/console.md gives the cost.
    (pool.node.defaultChild as CfnUserPool).userPoolTier = 'ESSENTIALS';
    const triggerLogs = new LogGroup(this, 'ScopeTriggerLogs', {
      retention: props.logRetention,
      removalPolicy,
    });
    const trigger = (this.scopeTrigger = new LambdaFunction(this, 'ScopeTrigger', {
      description: 'Cognito pre-token generation: prg/admin for the admins group only',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      handler: 'index.handler',
      code: Code.fromInline(SCOPE_TRIGGER),
      memorySize: 128,
      timeout: Duration.seconds(5),
      logGroup: triggerLogs,
    }));
    pool.addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, trigger, LambdaVersion.V2_0);

    new CfnUserPoolGroup(this, 'Admins', {
      userPoolId: pool.userPoolId,
      groupName: CONSOLE_GROUPS.admins,
      description: 'Console users who may act: fail over, fall back, recover, change parameters (prg/admin)',
    });
    new CfnUserPoolGroup(this, 'Readers', {
      userPoolId: pool.userPoolId,
      groupName: CONSOLE_GROUPS.readers,
      description: 'Console users who may look only (prg/read)',
    });

    const resourceServer = pool.node.findChild('ResourceServer');
    this.client = pool.addClient('ConsoleClient', publicSignInClient([this.url], [this.url]));
    this.client.node.addDependency(resourceServer);

    // The API's JWT authorizer admits tokens by client id: add the console's to the two
    // client-credentials clients it already lists.
    const authorizer = api.httpApi.node.findAll().find((c): c is CfnAuthorizer => c instanceof CfnAuthorizer);
    if (!authorizer) throw new Error('The console needs the API’s JWT authorizer, and found none.');
    authorizer.addPropertyOverride('JwtConfiguration.Audience', [
      api.appClient.userPoolClientId,
      api.readOnlyClient.userPoolClientId,
      this.client.userPoolClientId,
    ]);

    this.deployment = this.deploy(props, {
      auth: 'cognito',
      live: 'poll',
      cognito: {
        domain: api.domain.baseUrl(),
        clientId: this.client.userPoolClientId,
        redirectUri: this.url,
      },
    });

    const stack = Stack.of(this);
    new CfnOutput(stack, 'ConsoleUrl', { value: this.url, description: 'The operator’s console' });
    new CfnOutput(stack, 'ConsoleBucketName', {
      value: this.bucket.bucketName,
      description: 'Holds the console; every deploy of the stack fills it (docs/console.md)',
    });

    NagSuppressions.addResourceSuppressions(this.bucket, [
      {
        id: 'AwsSolutions-S1',
        reason:
          'The bucket holds only the built console, public by nature and replaceable from the repository; reads reach it through CloudFront alone (origin access control), whose requests are what an access log would show.',
      },
    ]);
    NagSuppressions.addResourceSuppressions(this.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason:
          "Operators on call may be anywhere; who may use the console is decided by Cognito sign-in and the API's scopes, not by country.",
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The optional WAF front (lib/constructs/waf.ts) attaches a web ACL to this distribution when deployed with it; without it the API keeps its own throttling and every route needs a Cognito token.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          "The API behind /v1/* writes its own access log with the caller's client id; the static files carry no data, so distribution access logs would add a bucket and cost without telling an operator anything new.",
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution uses the default CloudFront certificate, which allows TLS 1.0 viewers; a custom domain with its own certificate raises the minimum to TLS 1.2, set with minimumProtocolVersion.',
      },
    ]);
    NagSuppressions.addResourceSuppressions(
      trigger,
      [
        {
          id: 'AwsSolutions-L1',
          reason:
            'Pinned to Node.js 22 like every function of the stack (lib/constructs/project-function.ts): the project builds and tests on Node 22, and a newer runtime is a tested upgrade of the whole toolchain, not a deploy-time default.',
        },
        {
          id: 'AwsSolutions-IAM4',
          reason:
            'AWSLambdaBasicExecutionRole only lets the trigger write its own log lines; it reads and writes nothing else, since the groups arrive in the Cognito event.',
          appliesTo: [
            'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
          ],
        },
      ],
      true,
    );
  }

  /**
   * The console's files in the bucket, in two steps so a browser never loads an index.html
   * whose scripts are not there yet: first assets/ (file names carry a content hash, so
   * they are cached for a year and old ones are kept for pages still open), then
   * index.html and config.json (never cached without asking again), pruning what the new
   * build no longer has outside assets/, and the distribution invalidated.
   */
  private deploy(props: ConsoleProps, config: Record<string, unknown>): BucketDeployment {
    const build = Source.asset(CONSOLE_ROOT, {
      // Named by what it is built from, so an unchanged console is not built again (cdk.out keeps it).
      assetHash: consoleSourceHash(),
      bundling: {
        local: VITE_BUILD,
        // Required by the type, never used: VITE_BUILD builds or throws.
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
      },
    });
    const removalPolicy = props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const common = {
      destinationBucket: this.bucket,
      // With deletion protection the files stay with the retained bucket; without it they
      // go with the stack, so the bucket can go too.
      retainOnDelete: props.deletionProtection,
      memoryLimit: 256,
      logGroup: new LogGroup(this, 'DeploymentLogs', { retention: props.logRetention, removalPolicy }),
    };
    const assets = new BucketDeployment(this, 'DeployAssets', {
      ...common,
      sources: [build],
      exclude: ['*'],
      include: ['assets/*'],
      prune: false,
      cacheControl: [
        CacheControl.setPublic(),
        CacheControl.maxAge(Duration.days(365)),
        CacheControl.immutable(),
      ],
    });
    const site = new BucketDeployment(this, 'DeploySite', {
      ...common,
      sources: [build, Source.jsonData('config.json', config)],
      // Not uploaded here, and so not pruned here either.
      exclude: ['assets/*'],
      prune: true,
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/*'],
    });
    site.node.addDependency(assets);

    // The deployments share one CDK-provided handler function (a singleton in the stack).
    const stack = Stack.of(this);
    const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (handler) {
      NagSuppressions.addResourceSuppressions(
        handler,
        [
          {
            id: 'AwsSolutions-L1',
            reason:
              'The handler is the Python function aws-cdk-lib ships for BucketDeployment, with the runtime that library version pins and tests with its AWS CLI layer; it moves with aws-cdk-lib upgrades, not by hand.',
          },
          {
            id: 'AwsSolutions-IAM4',
            reason:
              'AWSLambdaBasicExecutionRole only lets the deployment handler write its own log lines; its access to the buckets and the distribution is granted separately and narrowly by BucketDeployment.',
            appliesTo: [
              'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
            ],
          },
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'Granted by BucketDeployment: object actions (s3:GetObject*, s3:List*, s3:DeleteObject*, s3:Abort*) on the objects of the CDK assets bucket and of the console bucket only, since object keys are known only once the build has run; and cloudfront:CreateInvalidation and GetInvalidation on "*", as BucketDeployment grants them, to invalidate the console distribution after each upload.',
            appliesTo: [
              'Action::s3:GetBucket*',
              'Action::s3:GetObject*',
              'Action::s3:List*',
              'Action::s3:DeleteObject*',
              'Action::s3:Abort*',
              'Resource::*',
              { regex: '/^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-.*\\/\\*$/g' },
              { regex: '/^Resource::<ConsoleBucket[A-Z0-9]+\\.Arn>\\/\\*$/g' },
            ],
          },
        ],
        true,
      );
    }
    return site;
  }
}
