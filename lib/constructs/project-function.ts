import { readdirSync, readFileSync } from 'node:fs';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  LayerVersion,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
  type ILayerVersion,
  type ParamsAndSecretsLayerVersion,
} from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
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

/**
 * What a traced function takes from the Powertools for AWS Lambda (TypeScript) layer
 * instead of bundling it: every Powertools package (the tracer, and the logger, metrics
 * and commons released with it) and the X-Ray SDK the tracer drives. Bundled, the tracer,
 * the X-Ray SDK and its dependencies (semver, cls-hooked, ...) were about 120 KiB of a
 * traced bundle, and logger and metrics 30 more (docs/performance.md). The layer holds
 * plain JavaScript with CommonJS builds, published for arm64 and x86_64; the bundle's
 * `require`s find it in /opt/nodejs/node_modules through Lambda's NODE_PATH.
 */
export const POWERTOOLS_LAYER_MODULES = ['@aws-lambda-powertools/*', 'aws-xray-sdk-core'] as const;

/** The packages esbuild leaves out of a function's bundle: the SDK always, Powertools when the layer provides it. */
export function bundleExternals(withPowertoolsLayer: boolean): string[] {
  return [...LAMBDA_BUNDLING.external, ...(withPowertoolsLayer ? POWERTOOLS_LAYER_MODULES : [])];
}

/**
 * The Powertools version installed in node_modules, read at synth: the layer a traced
 * function gets must hold the very code its handlers were type-checked and tested with.
 * The layer carries one version of every Powertools package, so they must all agree.
 */
export function installedPowertoolsVersion(root = projectPath()): string {
  const dir = `${root}/node_modules/@aws-lambda-powertools`;
  const versions = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    const pkg = JSON.parse(readFileSync(`${dir}/${name}/package.json`, 'utf8')) as { version: string };
    versions.set(name, pkg.version);
  }
  const distinct = [...new Set(versions.values())];
  if (distinct.length !== 1 || !distinct[0]) {
    throw new Error(
      `The installed Powertools packages differ in version (${[...versions].map(([n, v]) => `${n} ${v}`).join(', ')}), ` +
        'but the Powertools layer the traced functions load them from holds one version of all: ' +
        'give every @aws-lambda-powertools/* dependency of package.json the same version and run npm install.',
    );
  }
  return distinct[0];
}

/** The public SSM parameter holding the ARN of the Powertools layer of `version` in the stack's region. */
export function powertoolsLayerParameterName(version: string): string {
  return `/aws/service/powertools/typescript/generic/all/${version}`;
}

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
  /**
   * X-Ray: ACTIVE records a segment per invocation; unset, the function records none of its
   * own. A traced function also gets the Powertools layer and leaves Powertools and the
   * X-Ray SDK out of its bundle (`POWERTOOLS_LAYER_MODULES`).
   */
  readonly tracing?: Tracing;
}

/**
 * One handler of `lambdas/handlers/` as a Lambda function with the project's defaults:
 * ARM64 on Node 22, a CommonJS bundle built by the local esbuild (never Docker), minified
 * with source maps, the AWS SDK v3 taken from the runtime (and, when traced, Powertools
 * and the X-Ray SDK from the Powertools layer), its own log group with a retention, and
 * its own role that may write only to that log group until the stack grants it more.
 */
export class ProjectFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** The Powertools layer, for a traced function; undefined otherwise. */
  readonly powertoolsLayer?: ILayerVersion;

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

    // The layer's ARN is resolved by CloudFormation at deploy (a dynamic SSM parameter), so
    // synth needs no AWS access and the region's own layer is taken wherever it deploys.
    const withPowertoolsLayer = props.tracing !== undefined && props.tracing !== Tracing.DISABLED;
    if (withPowertoolsLayer) {
      this.powertoolsLayer = LayerVersion.fromLayerVersionArn(
        this,
        'PowertoolsLayer',
        StringParameter.valueForStringParameter(
          this,
          powertoolsLayerParameterName(installedPowertoolsVersion()),
        ),
      );
    }

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
      layers: this.powertoolsLayer ? [this.powertoolsLayer] : undefined,
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
        externalModules: bundleExternals(withPowertoolsLayer),
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
