/**
 * In Lambda with active tracing, a traced function records its handler and each AWS call
 * as X-Ray subsegments, and a workflow task's segment is searchable by its operation id.
 * Lambda's environment is imitated (AWS_EXECUTION_ENV, LAMBDA_TASK_ROOT, a sampled trace
 * header) and the X-Ray daemon is a UDP socket of this test: nothing leaves the machine.
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const daemon = createSocket('udp4');
const documents: Record<string, unknown>[] = [];
daemon.on('message', (message) => {
  // Each datagram is a JSON header line, then the (sub)segment document.
  const [, body] = message.toString('utf8').split('\n');
  if (body) documents.push(JSON.parse(body) as Record<string, unknown>);
});

beforeAll(async () => {
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: '/var/task',
    _HANDLER: 'index.handler',
    _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    AWS_XRAY_LOG_LEVEL: 'silent',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    // Nothing listens there: the call fails at once, after being recorded.
    AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
    TABLE_GROUPS: 'groups',
  });
});
afterAll(() => daemon.close());

/** The documents received so far, waiting briefly for UDP. */
async function received(count: (docs: Record<string, unknown>[]) => boolean) {
  for (let i = 0; i < 50 && !count(documents); i++) await new Promise((r) => setTimeout(r, 20));
  return documents;
}

describe('tracing in Lambda', () => {
  it('records the workflow task, its DynamoDB calls and its operation id', async () => {
    const { handler } = await import('../../../lambdas/entries/workflowTask');
    await expect(
      handler(
        { task: 'checkOperation', group: 'prg-1', operationId: 'op-42' } as never,
        {
          functionName: 'workflowTask',
          awsRequestId: 'a-1',
        } as never,
      ),
    ).rejects.toThrow();
    const docs = await received((d) => d.some((x) => x.name === '## index.handler'));
    const handlerSegment = docs.find((d) => d.name === '## index.handler');
    expect(handlerSegment?.annotations).toMatchObject({
      operationId: 'op-42',
      group: 'prg-1',
      task: 'checkOperation',
    });
    expect(handlerSegment?.trace_id).toBe('1-5759e988-bd862e3fe1be46a994272793');
    const dynamo = docs.find((d) => d.name === 'DynamoDB');
    expect(dynamo, JSON.stringify(docs.map((d) => d.name))).toBeDefined();
    expect(dynamo?.parent_id).toBe(handlerSegment?.id);
  });
});
