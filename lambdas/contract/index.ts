/**
 * The contract of presence-ha: functions, routes (with their request and response
 * schemas), workflows and the event source as data, the OpenAPI document generated from
 * them, and the typed client. The public face every other layer and tool imports.
 */
export * from './functions';
export * from './workflows';
export * from './events';
export * from './notifications';
export * from './tables';
export * from './routes';
export * from './paths';
export * from './responses';
export * from './paging';
export {
  apiClient,
  ApiProblemError,
  ApiUnreachableError,
  type ApiClient,
  type CallInput,
  type ClientOptions,
} from './client';
