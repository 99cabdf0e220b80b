import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  type ParamsAndSecretsLayerVersion,
  type Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { functionEntry, type FunctionDefinition } from '../../lambdas/contract';
import { projectPath } from '../project';

/** The runtime every handler is built, tested and run offline on (package.json pins node@22). */
export const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;

/**
 * Lambda's own log level (START/END/REPORT are INFO lines, about 300 bytes an invocation,
 * more than a steady heartbeat logs otherwise): WARN leaves them out, keeping timeouts
 * and crashes. Exported for `npm run bench`, which prices a heartbeat's log bytes.
 */
export const PLATFORM_LOG_LEVEL = SystemLogLevel.WARN;

/**
 * How every function is bundled, as esbuild takes it: exported for `npm run bench`, which
 * builds the bundles with these very options to measure their size and cold import.
 *
 * CommonJS, not ESM: the AWS SDK is left to the runtime, and an ESM bundle imports each of
 * its CommonJS packages through Node's ESM loader, which first scans the package's source
 * for its exports; a CommonJS bundle `require`s them directly. An ESM bundle also made
 * middy's `import ... from 'node:http'` load Node's whole fetch implementation. Together
 * that was about a quarter of the heartbeat function's cold import (docs/performance.md).
 */
export const LAMBDA_BUNDLING = {
  format: 'cjs',
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: true,
  // Stack traces need the mappings, not a second copy of the sources in every bundle.
  sourcesContent: false,
  // The Node 22 runtime ships SDK v3; bundling it would only grow cold starts.
  external: ['@aws-sdk/*'],
} as const;

export interface ProjectFunctionProps {
  /** The entry of `FUNCTIONS`: entry file, memory, timeout and description come from it. */
  readonly definition: FunctionDefinition;
  /** Table names, bus name, state machine ARNs: whatever the handler reads from its environment. */
  readonly environment: Record<string, string>;
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  /** Retries of an asynchronous invocation (the schedule); Lambda's default is 2. */
  readonly retryAttempts?: number;
  /** Concurrency kept for this function alone, and its ceiling (the heartbeat's, sized from the fleet). */
  readonly reservedConcurrentExecutions?: number;
  /** The AWS Parameters and Secrets extension, for a function that reads a secret (node token keys). */
  readonly paramsAndSecrets?: ParamsAndSecretsLayerVersion;
  /** X-Ray: ACTIVE records a segment per invocation; unset, the function records none of its own. */
  readonly tracing?: Tracing;
}

/**
 * One handler of `lambdas/handlers/` as a Lambda function with the project's defaults:
 * ARM64 on Node 22, a CommonJS bundle built by the local esbuild (never Docker), minified
 * with source maps, the AWS SDK v3 taken from the runtime, its own log group with a
 * retention, and its own role that may write only to that log group until the stack
 * grants it more.
 */
export class ProjectFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    super(scope, id);
    const { definition } = props;

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    // An own role instead of the AWSLambdaBasicExecutionRole managed policy: that policy
    // lets the function write to any log group of the account, this one to its own only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `presence-ha ${definition.id} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Handler', {
      entry: projectPath(functionEntry(definition.id)),
      handler: 'handler',
      projectRoot: projectPath(),
      depsLockFilePath: projectPath('package-lock.json'),
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: definition.memoryMiB,
      timeout: Duration.seconds(definition.timeoutSeconds),
      description: definition.description,
      role: this.role,
      logGroup: this.logGroup,
      // Lambda's own START/END/REPORT lines (about 300 bytes per invocation, more than a
      // steady heartbeat logs otherwise) are left out: duration and errors are in the
      // function's metrics. Its warnings (timeouts, crashes) still reach the log.
      loggingFormat: LoggingFormat.JSON,
      systemLogLevelV2: PLATFORM_LOG_LEVEL,
      retryAttempts: props.retryAttempts,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      paramsAndSecrets: props.paramsAndSecrets,
      tracing: props.tracing,
      environment: {
        ...props.environment,
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
      },
      bundling: {
        // The machine that synthesizes may have no Docker (nor network): esbuild is a devDependency.
        forceDockerBundling: false,
        format: OutputFormat.CJS,
        target: LAMBDA_BUNDLING.target,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        minify: LAMBDA_BUNDLING.minify,
        sourceMap: LAMBDA_BUNDLING.sourcemap,
        sourcesContent: LAMBDA_BUNDLING.sourcesContent,
        externalModules: [...LAMBDA_BUNDLING.external],
        logLevel: LogLevel.WARNING,
      },
    });

    NagSuppressions.addResourceSuppressions(this.function, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'The runtime is pinned to Node.js 22 on purpose: the handlers are built, type-checked and tested on Node 22 (package.json pins node@22) and the offline runtime runs the same code on it. Moving to a newer runtime is a tested upgrade of the whole toolchain, not a deploy-time default.',
      },
    ]);
  }
}
