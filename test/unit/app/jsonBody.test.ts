/**
 * Request bodies are parsed with a plain JSON.parse when the text cannot hold a key
 * `__proto__` or `constructor` (the heartbeat's hot path), and by middy's guarded parser
 * otherwise: a forbidden key is refused however it is written, and broken JSON is a 400
 * naming malformed JSON, as before the fast path.
 */
import { describe, expect, it } from 'vitest';
import { makeHandlers } from '../../../lambdas/handlers';
import { localContext, matchRoute, toApiGatewayEvent } from '../../../local/apiGatewayEvent';
import { memoryPorts } from '../../support/memory';

async function register(body: string) {
  const m = memoryPorts();
  const match = matchRoute('POST', '/v1/nodes')!;
  const event = toApiGatewayEvent(
    { method: 'POST', path: '/v1/nodes', headers: {}, body, scopes: ['prg/admin'] },
    match.route,
    match.pathParameters,
  );
  const res = (await makeHandlers(m.ports).nodes(event, localContext('nodes'))) as {
    statusCode: number;
    body: string;
  };
  return { status: res.statusCode, body: res.body, nodes: await m.ports.nodes.list() };
}

const node =
  '"nodeId":"imp-a","hostname":"imp-a.example.com","clusterId":"c","softwareVersion":"1","publisherId":"p"';

describe('JSON request bodies', () => {
  it('a plain body is parsed and the request served', async () => {
    const res = await register(`{${node}}`);
    expect(res.status).toBe(201);
    expect(res.nodes).toHaveLength(1);
  });

  it.each([
    ['__proto__ as it is', `{${node},"__proto__":{"admin":true}}`],
    ['__proto__ written with \\u escapes', `{${node},"\\u005f\\u005fproto__":{"admin":true}}`],
    ['constructor with a prototype', `{${node},"constructor":{"prototype":{"admin":true}}}`],
  ])('a forbidden key (%s) is refused (400, malformed JSON) and nothing is written', async (_, body) => {
    const res = await register(body);
    expect(res.status).toBe(400);
    expect(res.body).toContain('malformed JSON');
    expect(res.nodes).toEqual([]);
  });

  it('text that is not JSON is a 400 and nothing is written', async () => {
    const res = await register(`{${node},`);
    expect(res.status).toBe(400);
    expect(res.body).toContain('malformed JSON');
    expect(res.nodes).toEqual([]);
  });
});
