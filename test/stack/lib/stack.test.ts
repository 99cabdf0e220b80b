/**
 * The synthesized template against the single source of truth: every table, function,
 * route and workflow of lambdas/, no more, with least-privilege grants. One stack is
 * built for the whole file (bundling skipped) to keep the suite fast.
 */
import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnResource } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_IDS, TABLES, type TableId } from '../../../lambdas/contract';
import { DEFAULT_LEGACY_NODE_TOKENS_UNTIL } from '../../../lambdas/app';
import {
  EVENT_BUS_ENV,
  FUNCTION_IDS,
  FUNCTIONS,
  ROUTE_LIST,
  WORKFLOW_IDS,
  WORKFLOWS,
  type FunctionId,
  type WorkflowId,
} from '../../../lambdas/contract';
import type { PresenceHaStack } from '../../../lib/presence-ha-stack';
import { buildStack } from './synth';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

let stack: PresenceHaStack;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  stack = buildStack().stack;
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
});

const ofType = (type: string): [string, Resource][] =>
  Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalId = (construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as CfnResource);
const functionId = (id: FunctionId): string => logicalId(stack.functions[id].function);
const roleId = (id: FunctionId): string => logicalId(stack.functions[id].role);
const tableId = (id: TableId): string => logicalId(stack.tables.byId[id]);
const machineId = (id: WorkflowId): string => logicalId(stack.workflows.byId[id]);
const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });
const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Renders intrinsics as text, so a value built from references can be compared as a string. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v['Fn::GetAtt']) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  if (v.Ref) return `<${String(v.Ref)}>`;
  if (v['Fn::Join']) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  if (v['Fn::Sub']) {
    const [text, variables] = asArray(v['Fn::Sub']) as [string, Record<string, unknown>?];
    return text.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
      variables?.[name] !== undefined ? render(variables[name]) : `<${name}>`,
    );
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every statement of the policies attached to a function's role. */
function statementsOf(id: FunctionId): { actions: string[]; resources: string[] }[] {
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => asArray(p.Properties.Roles as unknown[]).some((r) => render(r) === `<${roleId(id)}>`))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .map((s) => {
      expect(s.Effect).toBe('Allow');
      return { actions: asArray(s.Action), resources: asArray(s.Resource).map(render) };
    });
}

describe('functions', () => {
  it('one Lambda per FUNCTIONS entry, and besides them only the console’s scope trigger and upload handler', () => {
    const ours = FUNCTION_IDS.map(functionId);
    const trigger = logicalId(stack.console!.scopeTrigger);
    // BucketDeployment's handler: the one function its custom resources call.
    const uploaders = new Set(
      ofType('Custom::CDKBucketDeployment').map(([, r]) => render(r.Properties.ServiceToken)),
    );
    expect(uploaders.size).toBe(1);
    const uploader = [...uploaders][0]!.replace(/^<(.+)\.Arn>$/, '$1');
    expect(
      ofType('AWS::Lambda::Function')
        .map(([id]) => id)
        .sort(),
    ).toEqual([...ours, trigger, uploader].sort());
  });

  it.each(FUNCTION_IDS)('%s: arm64, nodejs22.x, memory and timeout as defined, its own log group', (id) => {
    const fn = resources[functionId(id)]!.Properties;
    expect(fn).toMatchObject({
      Architectures: ['arm64'],
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      MemorySize: FUNCTIONS[id].memoryMiB,
      Timeout: FUNCTIONS[id].timeoutSeconds,
      Role: getAtt(roleId(id)),
      LoggingConfig: { LogGroup: { Ref: logicalId(stack.functions[id].logGroup) } },
    });
    expect(resources[logicalId(stack.functions[id].logGroup)]!.Properties.RetentionInDays).toBe(30);
  });

  it.each(FUNCTION_IDS)('%s: its environment names exactly the resources it declares', (id) => {
    const def = FUNCTIONS[id];
    const env = (resources[functionId(id)]!.Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
    const expected: Record<string, string> = {
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'presence-ha',
      POWERTOOLS_METRICS_NAMESPACE: 'PresenceHa',
    };
    for (const t of new Set([...def.reads, ...def.writes])) expected[TABLES[t].envVar] = `<${tableId(t)}>`;
    if (def.publishes) expected[EVENT_BUS_ENV] = `<${logicalId(stack.bus)}>`;
    for (const w of def.starts) {
      expected[WORKFLOWS[w].envVar] =
        `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:PresenceHa-${WORKFLOWS[w].nameSuffix}`;
    }
    // The node token key, for the functions that issue or check node tokens (limits.test.ts),
    // read through the AWS Parameters and Secrets extension, which has settings of its own.
    // With it, when tokens of the previous release stop being accepted (docs/runbooks.md).
    if (id === 'nodes' || id === 'heartbeat') {
      expected.PRG_NODE_TOKEN_SECRET_ID = `<${logicalId(stack.nodeTokenKey)}>`;
      expected.PRG_LEGACY_NODE_TOKENS_UNTIL = DEFAULT_LEGACY_NODE_TOKENS_UNTIL;
    }
    const own = Object.entries(env).filter(
      ([k]) => !/^(PARAMETERS_SECRETS_EXTENSION_|SECRETS_MANAGER_|SSM_PARAMETER_STORE_)/.test(k),
    );
    expect(Object.fromEntries(own.map(([k, v]) => [k, render(v)]))).toEqual(expected);
  });
});

describe('least privilege', () => {
  const ALLOWED =
    /^(dynamodb:[A-Za-z]+|states:StartExecution|states:DescribeExecution|events:PutEvents|logs:CreateLogStream|logs:PutLogEvents)$/;

  it.each(FUNCTION_IDS)('%s may use only the tables it declares, and write only those it writes', (id) => {
    const def = FUNCTIONS[id];
    const statements = statementsOf(id);
    const tablesIn = (predicate: (actions: string[]) => boolean): string[] =>
      TABLE_IDS.filter((t) =>
        statements.some(
          (s) => predicate(s.actions) && s.resources.some((r) => r.startsWith(`<${tableId(t)}.Arn>`)),
        ),
      ).sort();
    const isDynamo = (actions: string[]) => actions.some((a) => a.startsWith('dynamodb:'));
    expect(tablesIn(isDynamo)).toEqual([...new Set([...def.reads, ...def.writes])].sort());
    expect(tablesIn((a) => a.includes('dynamodb:PutItem'))).toEqual([...def.writes].sort());
    for (const s of statements) {
      // Reading the node token key: its two functions, that one secret.
      if (s.actions.every((a) => a.startsWith('secretsmanager:'))) {
        expect(['nodes', 'heartbeat']).toContain(id);
        expect(s.actions.sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
        expect(s.resources).toEqual([`<${logicalId(stack.nodeTokenKey)}>`]);
        continue;
      }
      // Active X-Ray tracing (not the heartbeat): these two actions exist only on "*".
      if (s.actions.every((a) => a.startsWith('xray:'))) {
        expect(['heartbeat', 'public']).not.toContain(id);
        expect(s.actions.sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
        expect(s.resources).toEqual(['*']);
        continue;
      }
      for (const action of s.actions) expect(action).toMatch(ALLOWED);
      expect(s.resources).not.toContain('*');
      if (isDynamo(s.actions)) {
        for (const r of s.resources) expect(r).toMatch(/^<Tables[A-Za-z0-9]+\.Arn>(\/index\/\*)?$/);
      }
    }
  });

  it.each(FUNCTION_IDS)('%s may start exactly the workflows it declares', (id) => {
    const started = statementsOf(id)
      .filter((s) => s.actions.includes('states:StartExecution'))
      .flatMap((s) => s.resources);
    expect(started.sort()).toEqual(
      FUNCTIONS[id].starts
        .map(
          (w) =>
            `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:PresenceHa-${WORKFLOWS[w].nameSuffix}`,
        )
        .sort(),
    );
  });

  it.each(FUNCTION_IDS)(
    '%s may describe the executions of exactly the workflows it starts (a deleted and re-created group never runs its workflows)',
    (id) => {
      const described = statementsOf(id)
        .filter((s) => s.actions.includes('states:DescribeExecution'))
        .flatMap((s) => s.resources);
      expect(described.sort()).toEqual(
        FUNCTIONS[id].starts
          .map(
            (w) =>
              `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:PresenceHa-${WORKFLOWS[w].nameSuffix}:*`,
          )
          .sort(),
      );
    },
  );

  it.each(FUNCTION_IDS)('%s may put events on the bus only if it publishes', (id) => {
    const puts = statementsOf(id).filter((s) => s.actions.includes('events:PutEvents'));
    if (FUNCTIONS[id].publishes) {
      expect(puts.flatMap((s) => s.resources)).toEqual([`<${logicalId(stack.bus)}.Arn>`]);
    } else {
      expect(puts).toEqual([]);
    }
  });

  it.each(FUNCTION_IDS)('%s writes logs to its own log group only, with no managed policy', (id) => {
    const logs = statementsOf(id).filter((s) => s.actions.some((a) => a.startsWith('logs:')));
    expect(logs.flatMap((s) => s.resources)).toEqual([`<${logicalId(stack.functions[id].logGroup)}.Arn>`]);
    expect(resources[roleId(id)]!.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it.each(WORKFLOW_IDS)(
    'the %s state machine may invoke the workflowTask function and nothing else',
    (id) => {
      const role = render(resources[machineId(id)]!.Properties.RoleArn).replace(/^<(.*)\.Arn>$/, '$1');
      const statements = ofType('AWS::IAM::Policy')
        .filter(([, p]) => asArray(p.Properties.Roles as unknown[]).some((r) => render(r) === `<${role}>`))
        .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
      const invokes = statements.filter((s) => asArray(s.Action).includes('lambda:InvokeFunction'));
      expect(invokes.flatMap((s) => asArray(s.Resource).map(render)).sort()).toEqual([
        `<${functionId('workflowTask')}.Arn>`,
        `<${functionId('workflowTask')}.Arn>:*`,
      ]);
    },
  );
});

describe('tables', () => {
  it('one table per TABLES entry, and no other', () => {
    expect(ofType('AWS::DynamoDB::Table')).toHaveLength(TABLE_IDS.length);
  });

  it.each(TABLE_IDS)('%s: keys, indexes and TTL as defined; on demand, PITR, encrypted, protected', (id) => {
    const def = TABLES[id];
    const table = resources[tableId(id)]!;
    const keys = (pk: { name: string }, sk?: { name: string }) => [
      { AttributeName: pk.name, KeyType: 'HASH' },
      ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' }] : []),
    ];
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      KeySchema: keys(def.partitionKey, def.sortKey),
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
    expect(table.Properties.TimeToLiveSpecification).toEqual(
      def.timeToLiveAttribute ? { AttributeName: def.timeToLiveAttribute, Enabled: true } : undefined,
    );
    expect(table.Properties.GlobalSecondaryIndexes ?? []).toEqual(
      def.indexes.map((ix) => ({
        IndexName: ix.indexName,
        KeySchema: keys(ix.partitionKey, ix.sortKey),
        Projection: { ProjectionType: ix.projection },
      })),
    );
    const types = Object.fromEntries(
      (table.Properties.AttributeDefinitions as { AttributeName: string; AttributeType: string }[]).map(
        (a) => [a.AttributeName, a.AttributeType],
      ),
    );
    for (const key of [
      def.partitionKey,
      def.sortKey,
      ...def.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
    ]) {
      if (key) expect(types[key.name], key.name).toBe(key.type);
    }
  });
});

describe('HTTP API', () => {
  const awsRoutes = ROUTE_LIST.filter((r) => !r.spec.stream);
  const routes = () =>
    new Map(
      ofType('AWS::ApiGatewayV2::Route').map(
        ([, r]) => [r.Properties.RouteKey as string, r.Properties] as const,
      ),
    );

  it('has every route of the route table but the streams, and no other', () => {
    expect([...routes().keys()].sort()).toEqual(awsRoutes.map((r) => r.key).sort());
    expect(routes().has('GET /v1/events')).toBe(false);
  });

  it.each(awsRoutes.map((r) => [r.key, r] as const))('%s reaches its function', (key, route) => {
    const target = render(routes().get(key)!.Target);
    const integration = resources[target.replace(/^integrations\/<(.*)>$/, '$1')]!;
    expect(render(integration.Properties.IntegrationUri)).toBe(`<${functionId(route.spec.function)}.Arn>`);
    expect(integration.Properties.PayloadFormatVersion).toBe('2.0');
  });

  it.each(awsRoutes.map((r) => [r.key, r] as const))('%s is authorized as declared', (key, route) => {
    const r = routes().get(key)!;
    const [authorizer] = ofType('AWS::ApiGatewayV2::Authorizer');
    switch (route.spec.auth) {
      case 'admin':
        expect(r).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizer![0] } });
        expect(r.AuthorizationScopes).toEqual(['prg/admin']);
        break;
      case 'read':
        expect(r).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizer![0] } });
        expect(r.AuthorizationScopes).toEqual(expect.arrayContaining(['prg/read', 'prg/admin']));
        expect(r.AuthorizationScopes).toHaveLength(2);
        break;
      default:
        expect(r.AuthorizationType).toBe('NONE');
        expect(r.AuthorizerId).toBeUndefined();
        expect(r.AuthorizationScopes).toBeUndefined();
    }
  });

  it('leaves API Gateway auth off exactly on heartbeat, health and openapi', () => {
    const open = [...routes()].filter(([, r]) => r.AuthorizationType === 'NONE').map(([k]) => k);
    expect(open.sort()).toEqual([
      'GET /v1/health',
      'GET /v1/openapi.json',
      'POST /v1/nodes/{nodeId}/heartbeat',
    ]);
  });

  it('checks Cognito JWTs of the two client-credentials clients and of the console’s code + PKCE client', () => {
    const [[, authorizer]] = ofType('AWS::ApiGatewayV2::Authorizer') as [[string, Resource]];
    const all = ofType('AWS::Cognito::UserPoolClient');
    // The console's public client (test/stack/console.test.ts): the code flow with PKCE, no secret.
    const consoleClient = logicalId(stack.console!.client);
    expect(resources[consoleClient]!.Properties).toMatchObject({
      AllowedOAuthFlows: ['code'],
      GenerateSecret: false,
    });
    // And prg login's public client (test/stack/cliLogin.test.ts), also code + PKCE.
    const cliClient = logicalId(stack.cliLogin!.client);
    const clients = all.filter(([id]) => id !== consoleClient && id !== cliClient);
    expect(clients).toHaveLength(2);
    expect(authorizer.Properties.AuthorizerType).toBe('JWT');
    const jwt = authorizer.Properties.JwtConfiguration as { Audience: unknown[]; Issuer: unknown };
    expect(jwt.Audience.map(render).sort()).toEqual(all.map(([id]) => `<${id}>`).sort());
    expect(render(jwt.Issuer)).toMatch(/^https:\/\/<ApiUserPool[A-Z0-9]+\.ProviderURL>$/);
    // Scopes name the resource server by reference (its Ref is its identifier, `prg`).
    const [[server, resourceServer]] = ofType('AWS::Cognito::UserPoolResourceServer') as [[string, Resource]];
    expect(resourceServer.Properties.Identifier).toBe('prg');
    const scopes = clients.map(([, c]) =>
      (c.Properties.AllowedOAuthScopes as unknown[])
        .map((x) => render(x).replace(`<${server}>`, 'prg'))
        .sort(),
    );
    expect(scopes).toEqual(expect.arrayContaining([['prg/admin', 'prg/read'], ['prg/read']]));
    for (const [, c] of clients) {
      expect(c.Properties).toMatchObject({
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthFlowsUserPoolClient: true,
        GenerateSecret: true,
      });
    }
    expect((resourceServer.Properties.Scopes as { ScopeName: string }[]).map((x) => x.ScopeName)).toEqual([
      'admin',
      'read',
    ]);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      DeletionProtection: 'ACTIVE',
    });
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });

  it('throttles and access-logs its default stage, without CORS', () => {
    const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      // Every route but the heartbeat's (test/stack/lib/limits.test.ts).
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    const logs = stage.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(render(logs.DestinationArn)).toMatch(/^<ApiAccessLogs.*\.Arn>$/);
    expect(Object.keys(JSON.parse(logs.Format) as object)).toEqual(
      expect.arrayContaining(['requestId', 'routeKey', 'status', 'clientId']),
    );
    const [[, api]] = ofType('AWS::ApiGatewayV2::Api') as [[string, Resource]];
    expect(api.Properties.ProtocolType).toBe('HTTP');
    expect(api.Properties.CorsConfiguration).toBeUndefined();
  });
});

describe('workflows', () => {
  it('one STANDARD state machine per WORKFLOWS entry, with a fixed name', () => {
    expect(ofType('AWS::StepFunctions::StateMachine')).toHaveLength(WORKFLOW_IDS.length);
    for (const id of WORKFLOW_IDS) {
      expect(resources[machineId(id)]!.Properties).toMatchObject({
        StateMachineName: `PresenceHa-${WORKFLOWS[id].nameSuffix}`,
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false },
      });
    }
  });

  it.each(WORKFLOW_IDS)('%s runs its ASL file, with the workflowTask function substituted in', (id) => {
    const props = resources[machineId(id)]!.Properties;
    const substitutions = Object.fromEntries(
      Object.entries((props.DefinitionSubstitutions ?? {}) as Record<string, unknown>).map(([k, v]) => [
        k,
        render(v),
      ]),
    );
    const definition = render(props.DefinitionString).replace(
      /\$\{([A-Za-z0-9]+)\}/g,
      (m, name: string) => substitutions[name] ?? m,
    );
    const taskArn = `<${functionId('workflowTask')}.Arn>`;
    const file = readFileSync(
      new URL(`../../../statemachines/${WORKFLOWS[id].file}`, import.meta.url),
      'utf8',
    );
    expect(JSON.parse(definition)).toEqual(
      JSON.parse(file.replaceAll('${WorkflowTaskFunctionArn}', taskArn)),
    );
  });
});

describe('events and the sweep', () => {
  it('has the custom bus named after the stack', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'PresenceHa-events' });
  });

  it('runs the sweep every minute, and only the sweep', () => {
    // The notification rules (test/stack/notifications.test.ts) match events, not a schedule.
    const rules = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.ScheduleExpression);
    expect(rules).toHaveLength(1);
    const [[, rule]] = rules as [[string, Resource]];
    expect(rule.Properties).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
    const targets = rule.Properties.Targets as { Arn: unknown }[];
    expect(targets.map((t) => render(t.Arn))).toEqual([`<${functionId('sweep')}.Arn>`]);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: getAtt(functionId('sweep')),
      Principal: 'events.amazonaws.com',
    });
  });
});

describe('alarms', () => {
  const alarms = () => ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  const dimension = (a: Record<string, unknown>) =>
    render((a.Dimensions as { Value: unknown }[] | undefined)?.[0]?.Value ?? '');

  it.each(WORKFLOW_IDS)('%s: an alarm on failed executions', (id) => {
    expect(
      alarms().some((a) => a.MetricName === 'ExecutionsFailed' && dimension(a) === `<${machineId(id)}>`),
    ).toBe(true);
  });

  it.each(FUNCTION_IDS)('%s: an alarm on errors', (id) => {
    expect(
      alarms().some(
        (a) =>
          a.Namespace === 'AWS/Lambda' && a.MetricName === 'Errors' && dimension(a) === `<${functionId(id)}>`,
      ),
    ).toBe(true);
  });

  it('an alarm on API 5xx and one on a silent sweep', () => {
    expect(alarms().some((a) => a.Namespace === 'AWS/ApiGateway' && a.MetricName === '5xx')).toBe(true);
    expect(
      alarms().some(
        (a) =>
          a.MetricName === 'Invocations' &&
          dimension(a) === `<${functionId('sweep')}>` &&
          a.ComparisonOperator === 'LessThanThreshold' &&
          a.TreatMissingData === 'breaching',
      ),
    ).toBe(true);
  });

  it('every alarm notifies the SSL-only alarm topic', () => {
    const topic = logicalId(stack.alarms.topic);
    for (const a of alarms()) expect((a.AlarmActions as unknown[]).map(render)).toEqual([`<${topic}>`]);
    const [[, policy]] = ofType('AWS::SNS::TopicPolicy') as [[string, Resource]];
    expect(JSON.stringify(policy.Properties)).toContain('aws:SecureTransport');
  });
});

describe('outputs', () => {
  it('tells a deployer where everything is', () => {
    const outputs = Object.keys(template.toJSON().Outputs as object);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'UserPoolId',
        'AppClientId',
        'TokenUrl',
        'EventBusName',
        ...TABLE_IDS.map((t) => `${t.charAt(0).toUpperCase()}${t.slice(1)}TableName`),
      ]),
    );
    const tokenUrl = render(
      (template.toJSON().Outputs as Record<string, { Value: unknown }>).TokenUrl!.Value,
    );
    expect(tokenUrl).toMatch(/^https:\/\/<.*>\.auth\.<AWS::Region>\.amazoncognito\.com\/oauth2\/token$/);
  });
});
