/**
 * Route paths filled with their parameters. Kept apart from the route table, which
 * loads every schema, so that a client (the CLI starts for every command) loads only this.
 */
import type { RouteKey } from './routes';

/** Fills a route's path with its parameters, each percent-encoded. */
export function fillPath(key: RouteKey, path: Record<string, string>): string {
  return (key.split(' ')[1] ?? '').replace(/\{(\w+)\}/g, (_whole, name: string) => {
    const value = path[name];
    if (value === undefined) throw new Error(`Route ${key} needs path parameter ${name}.`);
    return encodeURIComponent(value);
  });
}
