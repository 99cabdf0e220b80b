import { Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  CfnStage,
  DomainName,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
  type UserPoolClientOptions,
} from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, LogGroupClass, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ROUTE_LIST, type FunctionId, type RouteAuth } from '../../lambdas/contract';
import type { RouteThrottle } from '../config';

/**
 * The fields of the API's access log line, one line per request, as `$context` variables.
 * Every heartbeat writes one, so the keys are short: the line is most of what a steady
 * heartbeat costs in CloudWatch Logs. When it happened is the log event's own timestamp
 * (`@timestamp` in Logs Insights), not repeated in the line. Exported for `npm run bench`,
 * which prices a heartbeat's line from it.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  status: '$context.status',
  // Latency of the whole request, and of the function's part of it.
  ms: '$context.responseLatency',
  fnMs: '$context.integrationLatency',
  bytes: '$context.responseLength',
  // Who did it: the app client of the admin or read token (empty on node and public routes).
  clientId: '$context.authorizer.claims.client_id',
  // Why API Gateway refused a token, and why it could not call the function.
  authErr: '$context.authorizer.error',
  fnErr: '$context.integrationErrorMessage',
} as const;

/**
 * The access log's class: Infrequent Access, half the ingestion price of Standard. The
 * log is the record of who called what, read with Logs Insights when something is looked
 * into; that class has no metric or subscription filters, and nothing here uses them.
 */
export const ACCESS_LOG_CLASS = LogGroupClass.INFREQUENT_ACCESS;

/** The Cognito resource server of the API: its scopes are `prg/admin` and `prg/read`. */
export const RESOURCE_SERVER = 'prg';
export const ADMIN_SCOPE = `${RESOURCE_SERVER}/admin`;
export const READ_SCOPE = `${RESOURCE_SERVER}/read`;

/**
 * What every public (secretless) sign-in client of the pool shares, the console's and
 * `prg login --browser`'s: code + PKCE against the hosted UI, both scopes on offer (the
 * console's pre-token trigger decides who gets admin), hour-long tokens and a working
 * day's refresh token. Each client adds its own callback (and logout) URLs.
 */
export function publicSignInClient(callbackUrls: string[], logoutUrls?: string[]): UserPoolClientOptions {
  return {
    // A browser or a CLI keeps no secret: PKCE stands in for it.
    generateSecret: false,
    authFlows: {},
    oAuth: {
      flows: { authorizationCodeGrant: true },
      scopes: [OAuthScope.OPENID, OAuthScope.custom(ADMIN_SCOPE), OAuthScope.custom(READ_SCOPE)],
      callbackUrls,
      ...(logoutUrls ? { logoutUrls } : {}),
    },
    supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
    accessTokenValidity: Duration.hours(1),
    idTokenValidity: Duration.hours(1),
    refreshTokenValidity: Duration.hours(12),
    enableTokenRevocation: true,
    preventUserExistenceErrors: true,
  };
}

/**
 * The scopes API Gateway requires per kind of route (any one of them suffices). Routes
 * without scopes get no API Gateway authorizer: `none` is public by contract, and `node`
 * carries the node's own token, which the heartbeat handler verifies inside its
 * conditional write.
 */
export const ROUTE_SCOPES: Readonly<Record<RouteAuth, readonly string[] | undefined>> = {
  admin: [ADMIN_SCOPE],
  read: [READ_SCOPE, ADMIN_SCOPE],
  node: undefined,
  none: undefined,
};

const NO_AUTHORIZER_REASON: Readonly<Record<'none' | 'node', string>> = {
  none: 'Public by design: the readiness probe and the OpenAPI document of the API carry no customer data, and load balancers, monitors and API clients must read them without credentials.',
  node: 'Authenticated by the handler, not by API Gateway (docs/heartbeat-protocol.md): a node presents the bearer token issued at its registration, valid for its own nodeId only and stored hashed; the heartbeat handler verifies it inside the same conditional DynamoDB write that records the heartbeat and answers 401/403 otherwise. A Cognito token would add a second credential that a node has to refresh while the control plane may be unreachable.',
};

export interface ApiProps {
  readonly functions: Readonly<Record<FunctionId, IFunction>>;
  /** Cognito hosted domain prefix: the token URL is `https://<prefix>.auth.<region>.amazoncognito.com/oauth2/token`. */
  readonly domainPrefix: string;
  readonly deletionProtection: boolean;
  readonly logRetention: RetentionDays;
  /**
   * Per-route limits (docs/threat-model.md): the heartbeat route's, sized from the fleet,
   * and the one every other route gets for itself. Each route has its own bucket, so
   * heartbeats and operators cannot starve each other.
   */
  readonly throttle: { readonly heartbeat: RouteThrottle; readonly other: RouteThrottle };
  /**
   * Serve the API on this custom domain only, with the execute-api endpoint off, so that
   * a front (CloudFront + WAF) is the way in (the WAF front sets it).
   */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
}

/** The route whose limits are sized from the fleet. */
export const HEARTBEAT_ROUTE = 'POST /v1/nodes/{nodeId}/heartbeat';

/**
 * The HTTP API (docs/api.md) and who may call it: every route of `ROUTES` (except those
 * served only offline) on its function, behind a Cognito JWT authorizer with the
 * `prg/admin` and `prg/read` scopes of machine-to-machine (client-credentials) clients.
 */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly userPool: UserPool;
  readonly domain: UserPoolDomain;
  /** Client credentials allowed both scopes: operators, the CLI, the console. */
  readonly appClient: UserPoolClient;
  /** Client credentials allowed `prg/read` only: dashboards and monitors. */
  readonly readOnlyClient: UserPoolClient;
  readonly tokenUrl: string;
  /** The API's custom domain, when it has one (then the execute-api endpoint is off). */
  readonly domainName?: DomainName;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);

    this.userPool = new UserPool(this, 'UserPool', {
      // Identities are app clients; any human account is created by an administrator.
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(1),
      },
      // No M2M token needs it, but an administrator-created console user must have it.
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.NONE,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    NagSuppressions.addResourceSuppressions(this.userPool, [
      {
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus feature plan buys threat protection for user sign-ins (compromised credentials, adaptive authentication). This user pool issues tokens to machine-to-machine app clients through the client-credentials grant, which threat protection does not evaluate, so the plan would cost per user without protecting anything.',
      },
    ]);

    const admin = new ResourceServerScope({
      scopeName: 'admin',
      scopeDescription: 'Every route: register nodes, change groups, fail over, fall back, recover',
    });
    const read = new ResourceServerScope({
      scopeName: 'read',
      scopeDescription: 'GET routes: nodes, groups and their states, history, parameters, users',
    });
    const server = this.userPool.addResourceServer('ResourceServer', {
      identifier: RESOURCE_SERVER,
      userPoolResourceServerName: 'presence-ha API',
      scopes: [admin, read],
    });

    const m2mClient = (clientId: string, scopes: ResourceServerScope[]): UserPoolClient =>
      this.userPool.addClient(clientId, {
        generateSecret: true,
        authFlows: {},
        oAuth: {
          flows: { clientCredentials: true },
          scopes: scopes.map((s) => OAuthScope.resourceServer(server, s)),
        },
        supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
        accessTokenValidity: Duration.hours(1),
        enableTokenRevocation: true,
        preventUserExistenceErrors: true,
      });
    this.appClient = m2mClient('AppClient', [admin, read]);
    this.readOnlyClient = m2mClient('ReadOnlyClient', [read]);

    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });
    this.tokenUrl = `${this.domain.baseUrl()}/oauth2/token`;

    // Client-credentials access tokens carry no `aud`; API Gateway then checks `client_id`
    // against the audience, so the audience is the list of clients allowed in.
    const jwt = new HttpJwtAuthorizer('CognitoJwt', `https://${this.userPool.userPoolProviderUrl}`, {
      jwtAudience: [this.appClient.userPoolClientId, this.readOnlyClient.userPoolClientId],
    });

    // CORS stays off: the console is served from this origin and the other callers are not browsers.
    if (props.customDomain) {
      this.domainName = new DomainName(this, 'DomainName', {
        domainName: props.customDomain.domainName,
        certificate: Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn),
      });
    }
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'presence-ha control plane API',
      createDefaultStage: false,
      // Behind a front, the execute-api URL would be a way around its rate limit.
      disableExecuteApiEndpoint: props.customDomain !== undefined,
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupClass: ACCESS_LOG_CLASS,
      retention: props.logRetention,
      removalPolicy: props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // Created by hand rather than by `createDefaultStage`, which takes neither throttling nor access logs.
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle.other,
      ...(this.domainName ? { domainMapping: { domainName: this.domainName } } : {}),
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const integrations = new Map<FunctionId, HttpLambdaIntegration>();
    const integrationOf = (fn: FunctionId): HttpLambdaIntegration => {
      let integration = integrations.get(fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${fn}Integration`, props.functions[fn]);
        integrations.set(fn, integration);
      }
      return integration;
    };

    const routeSettings: Record<string, RouteThrottle> = {};
    for (const route of ROUTE_LIST) {
      // Streams are the embedded default's; on AWS, subscribe to the event bus.
      if (route.spec.stream) continue;
      const { auth } = route.spec;
      const scopes = ROUTE_SCOPES[auth];
      const authorizer: IHttpRouteAuthorizer = scopes ? jwt : new HttpNoneAuthorizer();
      const [created] = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrationOf(route.spec.function),
        authorizer,
        authorizationScopes: scopes ? [...scopes] : undefined,
      });
      if (!scopes && created && (auth === 'none' || auth === 'node')) {
        NagSuppressions.addResourceSuppressions(created, [
          { id: 'AwsSolutions-APIG4', reason: NO_AUTHORIZER_REASON[auth] },
        ]);
      }
      routeSettings[route.key] =
        route.key === HEARTBEAT_ROUTE ? props.throttle.heartbeat : props.throttle.other;
    }
    // The L2 stage takes one default throttle only; each route's own goes on the L1.
    (this.stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(
      Object.entries(routeSettings).map(([key, t]) => [
        key,
        // A JSON property: CloudFormation's own spelling, which CDK does not apply inside it.
        { ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit },
      ]),
    );
  }

  /**
   * The host a front forwards to: the custom domain when there is one, else the
   * execute-api host.
   */
  get originHost(): string {
    return this.domainName ? this.domainName.name : Fn.select(2, Fn.split('/', this.httpApi.apiEndpoint));
  }

  /** The API's base URL, without a trailing slash: routes start with `/v1/`. */
  get url(): string {
    return this.domainName ? `https://${this.domainName.name}` : this.httpApi.apiEndpoint;
  }
}
