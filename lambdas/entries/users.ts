/** Lambda entry of the `users` function: its ports, built once per cold start from the environment, traced with X-Ray. */
import { makeUsersHandler } from '../handlers/users';
import { traced, tracedPortsFromEnv } from '../handlers/tracing';

export const handler = traced(makeUsersHandler(tracedPortsFromEnv(process.env)));
