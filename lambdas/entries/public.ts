/** Lambda entry of the `public` function: its handler, which needs no ports. */
import { makePublicHandler } from '../handlers/public';

export const handler = makePublicHandler();
