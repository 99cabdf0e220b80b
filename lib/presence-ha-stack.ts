import {
  ArnFormat,
  Aws,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
  type StackProps,
} from 'aws-cdk-lib';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { Tracing } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ParamsAndSecretsLayerVersion, ParamsAndSecretsVersions } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  DEFAULT_LEGACY_NODE_TOKENS_UNTIL,
  FRONT_ORIGIN_SECRET_ENV,
  LEGACY_NODE_TOKENS_ENV,
  NODE_TOKEN_SECRET_ENV,
} from '../lambdas/app';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { ROUTE_LIST, TABLE_IDS, TABLES } from '../lambdas/contract';
import {
  DYNAMODB_CLIENT_ENV,
  EVENT_BUS_ENV,
  FUNCTION_IDS,
  FUNCTIONS,
  WORKFLOWS,
  type FunctionDefinition,
  type FunctionId,
} from '../lambdas/contract';
import {
  booleanContext,
  DEFAULT_LOG_RETENTION,
  readFleetConfig,
  readLegacyNodeTokensUntil,
  throttlePlan,
  type FleetConfig,
} from './config';
import { Alarms } from './constructs/alarms';
import { Api } from './constructs/api';
import { Console } from './constructs/console';
import { CliLogin } from './constructs/cliLogin';
import { Dashboard } from './constructs/dashboard';
import { Notifications } from './constructs/notifications';
import { ProjectFunction } from './constructs/project-function';
import { Tables } from './constructs/tables';
import { FrontWaf, sendOriginSecret } from './constructs/waf';
import { stateMachineArn, stateMachineName, Workflows } from './constructs/workflows';
import { pascalCase } from './project';

export interface PresenceHaStackProps extends StackProps {
  /** DynamoDB and Cognito deletion protection, and RETAIN of data on stack deletion. Default true. */
  readonly deletionProtection?: boolean;
  /** Cognito hosted domain prefix. Default: the stack name in lower case and the account id. */
  readonly cognitoDomainPrefix?: string;
  /** Retention of the Lambda, API and workflow logs. Default one month. */
  readonly logRetention?: RetentionDays;
  /**
   * The operator's console (S3 + CloudFront + Cognito hosted UI, built and uploaded by the
   * stack; docs/console.md). Default: the context value `console`, else on; `cdk deploy
   * -c console=false` deploys the API alone.
   */
  readonly console?: boolean;
  /**
   * The fleet the API's limits are sized from, and the optional WAF front (which needs the
   * console, whose distribution it guards). Default: read from CDK context (`fleetSize`,
   * `front`, …; see `readFleetConfig` in lib/config.ts).
   */
  readonly fleet?: FleetConfig;
}

/** The functions that issue (nodes) or check (heartbeat) node tokens: the only ones given the key. */
const NODE_TOKEN_FUNCTIONS: ReadonlySet<FunctionId> = new Set<FunctionId>(['nodes', 'heartbeat']);

/** The functions behind API routes: with the WAF front on, each checks CloudFront's origin secret. */
const HTTP_FUNCTIONS: ReadonlySet<FunctionId> = new Set<FunctionId>(ROUTE_LIST.map((r) => r.spec.function));

/**
 * Functions without X-Ray: the heartbeat (the bulk of all invocations, kept at one write
 * and no extra cost) and the public readiness/OpenAPI function. The admin, sweep and
 * workflow functions are traced, so a workflow's trace continues into its Lambda tasks.
 */
const UNTRACED: ReadonlySet<FunctionId> = new Set<FunctionId>(['heartbeat', 'public']);

/** Powertools service name of every function: one service, told apart by function name. */
const SERVICE_NAME = 'presence-ha';

/**
 * The whole control plane: tables, one Lambda per handler, the HTTP API with Cognito,
 * the workflows, the event bus, the sweep schedule, alarms. Every list in it comes from
 * `TABLES`, `FUNCTIONS`, `ROUTES` and `WORKFLOWS`, never from a second copy.
 */
export class PresenceHaStack extends Stack {
  readonly tables: Tables;
  readonly bus: EventBus;
  readonly functions: Readonly<Record<FunctionId, ProjectFunction>>;
  readonly workflows: Workflows;
  readonly api: Api;
  readonly alarms: Alarms;
  /** The console (absent with console=false); its distribution takes the optional WAF front. */
  readonly console?: Console;
  /** The public client of `prg login --browser`: with the console only (its trigger scopes people). */
  readonly cliLogin?: CliLogin;
  readonly notifications: Notifications;
  readonly dashboard: Dashboard;
  /** The node token keys (docs/threat-model.md): generated at deploy, never in the template. */
  readonly nodeTokenKey: Secret;
  /** The WAF front's web ACL, when the front is on and makes its own (not given by `wafAclArn`). */
  readonly frontWaf?: FrontWaf;
  /**
   * With the WAF front on: the value CloudFront sends to the API in a header and the
   * functions require, so the API's public custom domain cannot be used to skip the WAF.
   */
  readonly frontOriginSecret?: Secret;
  /** Until when the node functions accept tokens of the release before MACs (`legacyNodeTokensUntil`). */
  private readonly legacyNodeTokensUntil: string;
  /** Context `sdkDynamoDb=true`: the untraced functions reach DynamoDB through the AWS SDK too. */
  private readonly sdkDynamoDb: boolean;

  constructor(scope: Construct, id: string, props: PresenceHaStackProps = {}) {
    super(scope, id, {
      description: 'presence-ha: serverless high-availability control plane for presence redundancy groups',
      ...props,
    });
    const deletionProtection = props.deletionProtection ?? true;
    const logRetention = props.logRetention ?? DEFAULT_LOG_RETENTION;
    const logRemovalPolicy = deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const fleet = props.fleet ?? readFleetConfig((key) => this.node.tryGetContext(key));
    const limits = throttlePlan(fleet);
    const withConsole = props.console ?? booleanContext(this.node.tryGetContext('console'), true, 'console');
    if (fleet.front && !withConsole) {
      throw new Error(
        "front=waf puts the WAF on the console's CloudFront distribution, which also carries /v1/*: keep the console (console=true, the default) or drop front=waf.",
      );
    }

    this.tables = new Tables(this, 'Tables', {
      deletionProtection,
      // Warmed for the declared fleet's heartbeats (docs/performance.md).
      heartbeatsPerSecond: fleet.fleetSize / fleet.heartbeatIntervalSeconds,
    });
    this.nodeTokenKey = new Secret(this, 'NodeTokenKey', {
      description:
        'presence-ha node token keys: "current" signs node tokens; "previous" still verifies until "previousUntil" during a key replacement (docs/threat-model.md)',
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'current',
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy: logRemovalPolicy,
    });
    NagSuppressions.addResourceSuppressions(this.nodeTokenKey, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'The key signs the tokens every agent holds: replacing it means reissuing every node token within a grace period, an operator procedure (docs/threat-model.md), not an automatic rotation Lambda.',
      },
    ]);
    this.sdkDynamoDb = booleanContext(this.node.tryGetContext('sdkDynamoDb'), false, 'sdkDynamoDb');
    this.legacyNodeTokensUntil =
      readLegacyNodeTokensUntil(this.node.tryGetContext('legacyNodeTokensUntil')) ??
      DEFAULT_LEGACY_NODE_TOKENS_UNTIL;
    if (fleet.front) {
      this.frontOriginSecret = new Secret(this, 'FrontOriginSecret', {
        description:
          'presence-ha WAF front: "current" is the header CloudFront adds to requests for the API; the functions refuse requests without it ("previous" too while it is replaced; docs/threat-model.md)',
        generateSecretString: {
          secretStringTemplate: '{}',
          generateStringKey: 'current',
          passwordLength: 48,
          excludePunctuation: true,
        },
        removalPolicy: logRemovalPolicy,
      });
      NagSuppressions.addResourceSuppressions(this.frontOriginSecret, [
        {
          id: 'AwsSolutions-SMG4',
          reason:
            'CloudFront reads the value when the distribution is deployed: replacing it is an operator procedure with a grace for the previous value (docs/threat-model.md), not an automatic rotation Lambda.',
        },
      ]);
    }
    const needsSecrets = (id: FunctionId) =>
      NODE_TOKEN_FUNCTIONS.has(id) || (this.frontOriginSecret !== undefined && HTTP_FUNCTIONS.has(id));
    // The extension caches the secret for a minute; the function keeps it a minute more (SecretNodeTokenKeys).
    const secretsExtension = ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
      secretsManagerTtl: Duration.minutes(1),
    });
    this.bus = new EventBus(this, 'EventBus', { eventBusName: `${this.stackName}-events` });

    const functions: Partial<Record<FunctionId, ProjectFunction>> = {};
    for (const functionId of FUNCTION_IDS) {
      const definition = FUNCTIONS[functionId];
      const fn = new ProjectFunction(this, `${pascalCase(functionId)}Function`, {
        definition,
        environment: this.environmentOf(definition),
        serviceName: SERVICE_NAME,
        metricsNamespace: this.stackName,
        logRetention,
        logRemovalPolicy,
        // The schedule runs the sweep again within a minute; a retry would only overlap it.
        retryAttempts: functionId === 'sweep' ? 0 : undefined,
        reservedConcurrentExecutions:
          functionId === 'heartbeat' && limits.heartbeatReservedConcurrency > 0
            ? limits.heartbeatReservedConcurrency
            : undefined,
        paramsAndSecrets: needsSecrets(functionId) ? secretsExtension : undefined,
        tracing: UNTRACED.has(functionId) ? undefined : Tracing.ACTIVE,
      });
      if (!UNTRACED.has(functionId)) {
        NagSuppressions.addResourceSuppressions(
          fn.role,
          [
            {
              id: 'AwsSolutions-IAM5',
              appliesTo: ['Resource::*'],
              reason:
                'Active X-Ray tracing: Lambda adds xray:PutTraceSegments and xray:PutTelemetryRecords, which have no resource-level permissions, so IAM only accepts them on "*"; nothing else is granted on the wildcard.',
            },
          ],
          true,
        );
      }
      if (NODE_TOKEN_FUNCTIONS.has(functionId)) this.nodeTokenKey.grantRead(fn.function);
      if (HTTP_FUNCTIONS.has(functionId)) this.frontOriginSecret?.grantRead(fn.function);
      this.grant(fn, definition);
      functions[functionId] = fn;
    }
    this.functions = functions as Record<FunctionId, ProjectFunction>;
    const lambdas = Object.fromEntries(
      FUNCTION_IDS.map((fid) => [fid, this.functions[fid].function]),
    ) as Record<FunctionId, ProjectFunction['function']>;

    this.workflows = new Workflows(this, 'Workflows', {
      taskFunction: lambdas.workflowTask,
      logRetention,
    });

    this.api = new Api(this, 'Api', {
      functions: lambdas,
      domainPrefix: props.cognitoDomainPrefix ?? `${this.stackName.toLowerCase()}-${Aws.ACCOUNT_ID}`,
      deletionProtection,
      logRetention,
      throttle: { heartbeat: limits.heartbeat, other: limits.other },
      ...(fleet.front
        ? {
            customDomain: {
              domainName: fleet.front.apiDomainName,
              certificateArn: fleet.front.apiCertificateArn,
            },
          }
        : {}),
    });

    new Rule(this, 'SweepSchedule', {
      description: 'Runs the sweep every minute: silent pairs, expired timers, due automatic fallbacks',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(lambdas.sweep, { retryAttempts: 2, maxEventAge: Duration.minutes(1) })],
    });

    this.alarms = new Alarms(this, 'Alarms', {
      functions: lambdas,
      stateMachines: this.workflows.byId,
      httpApi: this.api.httpApi,
      sweep: lambdas.sweep,
      groupsNotNormal: new Metric({
        namespace: this.stackName,
        metricName: 'GroupsNotNormal',
        dimensionsMap: { service: SERVICE_NAME },
        statistic: 'Maximum',
        period: Duration.minutes(5),
      }),
    });

    const dashboardName = `${this.stackName}-operations`;
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName,
      functions: lambdas,
      stateMachines: this.workflows.byId,
      httpApi: this.api.httpApi,
      serviceName: SERVICE_NAME,
    });
    this.notifications = new Notifications(this, 'Notifications', { bus: this.bus, dashboardName });

    if (withConsole)
      this.console = new Console(this, 'Console', { api: this.api, deletionProtection, logRetention });
    // prg login --browser: after the console, whose scope trigger decides what a person may
    // do, and whose client the CLI client's authorizer override keeps in.
    if (this.console) this.cliLogin = new CliLogin(this, 'CliLogin', { api: this.api });
    if (fleet.front && this.console) {
      if (fleet.front.webAclArn) {
        // Made in us-east-1 by the companion stack (FrontWafStack), for a stack in any region.
        this.console.distribution.attachWebAclId(fleet.front.webAclArn);
      } else {
        this.frontWaf = new FrontWaf(this, 'FrontWaf', {
          requestsPerIpPer5Min: fleet.front.requestsPerIpPer5Min,
          managedRules: fleet.front.managedRules,
        });
        this.frontWaf.attachTo(this.console.distribution);
      }
      if (this.frontOriginSecret) {
        sendOriginSecret(
          this.console.distribution,
          this.api.originHost,
          this.frontOriginSecret.secretValueFromJson('current').unsafeUnwrap(),
        );
      }
    }

    this.outputs();
  }

  /** The environment a handler learns its resources from: only those its definition declares. */
  private environmentOf(definition: FunctionDefinition): Record<string, string> {
    const env: Record<string, string> = {};
    for (const tableId of new Set([...definition.reads, ...definition.writes])) {
      env[TABLES[tableId].envVar] = this.tables.byId[tableId].tableName;
    }
    if (definition.publishes) env[EVENT_BUS_ENV] = this.bus.eventBusName;
    // The traced functions always use the SDK (X-Ray captures it); the others use the small
    // signed client unless the operator asks for the SDK (docs/operations.md).
    if (this.sdkDynamoDb && UNTRACED.has(definition.id)) env[DYNAMODB_CLIENT_ENV] = 'sdk';
    if (NODE_TOKEN_FUNCTIONS.has(definition.id)) {
      env[NODE_TOKEN_SECRET_ENV] = this.nodeTokenKey.secretArn;
      env[LEGACY_NODE_TOKENS_ENV] = this.legacyNodeTokensUntil;
    }
    if (this.frontOriginSecret && HTTP_FUNCTIONS.has(definition.id)) {
      env[FRONT_ORIGIN_SECRET_ENV] = this.frontOriginSecret.secretArn;
    }
    for (const workflowId of definition.starts) {
      const workflow = WORKFLOWS[workflowId];
      env[workflow.envVar] = stateMachineArn(this, workflow);
    }
    return env;
  }

  /** Least privilege, straight from the definition: its tables, its bus, its workflows. */
  private grant(fn: ProjectFunction, definition: FunctionDefinition): void {
    const writes = new Set(definition.writes);
    const indexed: string[] = [];
    for (const tableId of new Set([...definition.reads, ...definition.writes])) {
      const table = this.tables.byId[tableId];
      if (writes.has(tableId)) table.grantReadWriteData(fn.function);
      else table.grantReadData(fn.function);
      if (TABLES[tableId].indexes.length > 0) {
        indexed.push(`Resource::<${this.getLogicalId(table.node.defaultChild as CfnTable)}.Arn>/index/*`);
      }
    }
    if (definition.publishes) this.bus.grantPutEventsTo(fn.function);
    if (definition.starts.length > 0) {
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['states:StartExecution'],
          resources: definition.starts.map((w) => stateMachineArn(this, WORKFLOWS[w])),
        }),
      );
      // A start answered ExecutionAlreadyExists counts only if the execution under that
      // name is this operation's and still runs: the starter has to look at it.
      const names = definition.starts.map((w) => stateMachineName(this, WORKFLOWS[w]));
      const executions = names.map((name) =>
        this.formatArn({
          service: 'states',
          resource: 'execution',
          resourceName: `${name}:*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      );
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['states:DescribeExecution'], resources: executions }),
      );
      NagSuppressions.addResourceSuppressions(
        fn.role,
        [
          {
            id: 'AwsSolutions-IAM5',
            appliesTo: names.map(
              (name) =>
                // As cdk-nag prints it: tokens by name, or the values of a stack with a set env (front=waf).
                `Resource::arn:${this.nagValue(this.partition, '<AWS::Partition>')}:states:${this.nagValue(this.region, '<AWS::Region>')}:${this.nagValue(this.account, '<AWS::AccountId>')}:execution:${name}:*`,
            ),
            reason:
              'DescribeExecution is granted on the executions of the state machines this function starts, and on nothing else: execution names are only known at run time, so the ARN ends in the state machine name and a wildcard.',
          },
        ],
        true,
      );
    }
    if (indexed.length > 0) {
      NagSuppressions.addResourceSuppressions(
        fn.role,
        [
          {
            id: 'AwsSolutions-IAM5',
            appliesTo: indexed,
            reason:
              'Generated by grantReadData / grantReadWriteData for the global secondary indexes of the tables this function declares in lambdas/handlers/definitions.ts: "<table ARN>/index/*" names the indexes of that one table only (byCluster, byTimerDue, bySilentAt, byHomeNode), which the handler queries; no other table is reachable.',
          },
        ],
        true,
      );
    }
  }

  /** A stack attribute as cdk-nag spells it in a finding: the value when known, else the token's name. */
  private nagValue(value: string, token: string): string {
    return Token.isUnresolved(value) ? token : value;
  }

  private outputs(): void {
    new CfnOutput(this, 'ApiUrl', {
      value: this.api.url,
      description: 'Base URL of the HTTP API; routes start with /v1/',
    });
    new CfnOutput(this, 'UserPoolId', { value: this.api.userPool.userPoolId });
    new CfnOutput(this, 'AppClientId', {
      value: this.api.appClient.userPoolClientId,
      description:
        'Client-credentials app client allowed prg/admin and prg/read (secret in the Cognito console)',
    });
    new CfnOutput(this, 'ReadOnlyAppClientId', {
      value: this.api.readOnlyClient.userPoolClientId,
      description: 'Client-credentials app client allowed prg/read only',
    });
    new CfnOutput(this, 'TokenUrl', {
      value: this.api.tokenUrl,
      description:
        'POST grant_type=client_credentials&scope=prg/admin (or prg/read) with the client id and secret',
    });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarms.topic.topicArn,
      description: 'Subscribe to receive the alarms',
    });
    new CfnOutput(this, 'NotificationTopicArn', {
      value: this.notifications.topic.topicArn,
      description: 'Failovers, fallbacks, Failed Mode and nodes Down in words: subscribe people here',
    });
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboard.dashboardName });
    for (const tableId of TABLE_IDS) {
      new CfnOutput(this, `${pascalCase(tableId)}TableName`, { value: this.tables.byId[tableId].tableName });
    }
  }
}
