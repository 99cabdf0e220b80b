/** Lambda entry of the `users` function: its ports, built once per cold start from the environment. */
import { portsFromEnv } from '../handlers/composition';
import { makeUsersHandler } from '../handlers/users';

export const handler = makeUsersHandler(portsFromEnv(process.env));
