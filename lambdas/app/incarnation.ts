import { randomInt } from 'node:crypto';

/**
 * A new incarnation id for a group being created: its creation time in base 36, then
 * three random base-36 characters, so that two creations of the same name differ even
 * when clocks disagree or repeat a millisecond. Eleven characters today: operation ids
 * (`take-over-1-<incarnation>`) and execution names stay short.
 */
export function newIncarnation(now: number): string {
  const random = Array.from({ length: 3 }, () => randomInt(36).toString(36)).join('');
  return `${Math.max(0, Math.floor(now)).toString(36)}${random}`;
}
