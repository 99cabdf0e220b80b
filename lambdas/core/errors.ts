/**
 * A group record that breaks the domain's own invariants (a member missing, a peer
 * missing). It means stored data was corrupted or written by something else; the
 * transition is not applied.
 */
export class GroupInvariantError extends Error {
  override readonly name = 'GroupInvariantError';
  constructor(
    readonly group: string,
    detail: string,
  ) {
    super(`Group ${group} is inconsistent: ${detail}. Nothing was changed; check the stored group record.`);
  }
}
