/**
 * The traced functions load the Powertools tracer, logger and metrics and the X-Ray SDK
 * from the official Powertools for AWS Lambda (TypeScript) layer instead of their bundles:
 * the layer of the installed version, its ARN resolved by CloudFormation from the public
 * SSM parameter AWS publishes per version and region (no AWS call at synth), attached to
 * exactly the functions whose bundles leave Powertools out. A traced function without the
 * layer would fail on its first `require`; an untraced one with it would pay for a layer
 * it never loads.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Tracing } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_IDS, FUNCTIONS, type FunctionId } from '../../lambdas/contract';
import {
  installedPowertoolsVersion,
  ProjectFunction,
  powertoolsLayerParameterName,
} from '../../lib/constructs/project-function';
import type { PresenceHaStack } from '../../lib/presence-ha-stack';
import { buildStack } from './lib/synth';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}

const root = new URL('../../', import.meta.url).pathname;
const TRACED: FunctionId[] = [
  'groups',
  'groupActions',
  'nodes',
  'parameters',
  'users',
  'sweep',
  'workflowTask',
];
/** Read here from the installed package, as the stack must: never a version typed into the code. */
const installed = (
  JSON.parse(readFileSync(join(root, 'node_modules/@aws-lambda-powertools/tracer/package.json'), 'utf8')) as {
    version: string;
  }
).version;

let stack: PresenceHaStack;
let template: ReturnType<Template['toJSON']>;

beforeAll(() => {
  stack = buildStack().stack;
  template = Template.fromStack(stack).toJSON();
});

const functionOf = (id: FunctionId) => {
  const fn = stack.functions[id].function;
  return (template.Resources as Record<string, Resource>)[stack.getLogicalId(fn.node.defaultChild as never)]!;
};

/** The template parameters CloudFormation fills from SSM at deploy, by logical id. */
const ssmParameters = () =>
  Object.entries((template.Parameters ?? {}) as Record<string, { Type: string; Default?: string }>).filter(
    ([, p]) => p.Type === 'AWS::SSM::Parameter::Value<String>',
  );

describe('the Powertools layer', { timeout: 120_000 }, () => {
  it('is the layer of the installed Powertools version, resolved from its public SSM parameter at deploy', () => {
    expect(installedPowertoolsVersion()).toBe(installed);
    const wanted = `/aws/service/powertools/typescript/generic/all/${installed}`;
    expect(powertoolsLayerParameterName(installed)).toBe(wanted);
    const layers = ssmParameters().filter(([, p]) => p.Default?.startsWith('/aws/service/powertools/'));
    // One parameter for the whole stack, shared by every traced function.
    expect(layers.map(([, p]) => p.Default)).toEqual([wanted]);
  });

  it.each(FUNCTION_IDS)('%s: has the layer exactly when it is traced', (id) => {
    const [[parameterId]] = ssmParameters().filter(([, p]) =>
      p.Default?.startsWith('/aws/service/powertools/'),
    ) as [[string, unknown]];
    const { Properties } = functionOf(id);
    const layers = (Properties.Layers ?? []) as unknown[];
    const hasLayer = layers.some((l) => JSON.stringify(l) === JSON.stringify({ Ref: parameterId }));
    const traced = (Properties.TracingConfig as { Mode?: string } | undefined)?.Mode === 'Active';
    expect(traced, 'traced').toBe(TRACED.includes(id));
    expect(hasLayer, 'Powertools layer').toBe(traced);
    // arm64 is among the layer's architectures; Node 22 among its runtimes.
    expect(Properties.Architectures).toEqual(['arm64']);
  });
});

describe('installedPowertoolsVersion', () => {
  const fakeProject = (versions: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'prg-powertools-'));
    for (const [name, version] of Object.entries(versions)) {
      const pkg = join(dir, 'node_modules/@aws-lambda-powertools', name);
      mkdirSync(pkg, { recursive: true });
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name, version }));
    }
    return dir;
  };

  it('refuses Powertools packages of different versions, naming them, since the layer holds one', () => {
    const dir = fakeProject({ tracer: '2.36.0', logger: '2.35.1', metrics: '2.36.0' });
    try {
      expect(() => installedPowertoolsVersion(dir)).toThrow(/logger 2\.35\.1.*same version/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a traced function as cdk deploy bundles it', () => {
  it('requires the tracer from outside its bundle, and the layer is attached', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'prg-cdk-out-'));
    try {
      const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
      const bare = new Stack(app, 'Bare');
      const fn = new ProjectFunction(bare, 'Sweep', {
        definition: FUNCTIONS.sweep,
        environment: {},
        serviceName: 'presence-ha',
        metricsNamespace: 'Bare',
        logRetention: RetentionDays.ONE_DAY,
        logRemovalPolicy: RemovalPolicy.DESTROY,
        tracing: Tracing.ACTIVE,
      });
      const resource = Template.fromStack(bare).toJSON().Resources[
        bare.getLogicalId(fn.function.node.defaultChild as never)
      ] as { Metadata: Record<string, string> };
      const bundle = readFileSync(join(outdir, resource.Metadata['aws:asset:path']!, 'index.js'), 'utf8');
      expect(bundle).toMatch(/require\("@aws-lambda-powertools\/tracer"\)/);
      expect(bundle).not.toContain('aws-xray-sdk-core/');
      expect(fn.powertoolsLayer).toBeDefined();
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
