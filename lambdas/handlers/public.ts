import { openApiDocument } from './openapi';
import { httpHandler } from './http/httpHandler';

/** No auth: readiness, and the OpenAPI document. */
export const handler = httpHandler({
  'GET /v1/health': async () => ({ status: 200, body: { status: 'ok' } }),
  'GET /v1/openapi.json': async () => ({ status: 200, body: openApiDocument() }),
});
