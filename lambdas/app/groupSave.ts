import { ConflictError, VersionConflictError } from './errors';

/** How often a group write is tried when concurrent writers on the same group get in first. */
export const SAVE_ATTEMPTS = 5;

/**
 * Runs `save`, one conditional write of a group's next version. True when it is stored;
 * false when another writer got there first and the caller should read the group again
 * and retry (after a jittered pause, since writers that collided once would collide again
 * in lockstep). The collision of the last attempt is a 409 saying that nothing was done.
 */
export async function savedOrRetry(
  name: string,
  attempt: number,
  save: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await save();
    return true;
  } catch (error) {
    if (!(error instanceof VersionConflictError)) throw error;
    if (attempt >= SAVE_ATTEMPTS) {
      throw new ConflictError(
        `Group ${name} is being changed by other requests; nothing was done. Try again.`,
        'CONCURRENT_UPDATE',
      );
    }
    await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    return false;
  }
}
