import type { HeartbeatBody } from '../schemas/heartbeat';
import type { GroupState, Member } from '../types';

/** The stored acknowledgement of an agent that has heard nothing since it started (it fences). */
export const HEARD_NOTHING = -1;

/**
 * What a heartbeat's `heard` acknowledges for this group, as stored on its member (see
 * `Member.heard`): the epoch of an answer of this group and incarnation while high
 * availability is on, {@link HEARD_NOTHING} for an agent with no answer yet since it
 * started, null for anything that does not make the agent fence — no acknowledgement at
 * all (an older agent), an answer that said "no HA group", another group or incarnation.
 * With high availability off nothing counts: the answers say "no HA group".
 */
export function acknowledged(group: GroupState, hb: HeartbeatBody): number | null {
  if (!group.highAvailability || hb.heard === undefined) return null;
  if (hb.heard === null) return HEARD_NOTHING;
  const { group: name, incarnation, epoch } = hb.heard;
  if (name !== group.name || incarnation !== (group.incarnation ?? null)) return null;
  return epoch;
}

/**
 * Whether the node's agent fences when answers stop, as far as its last acknowledgement
 * shows: it acknowledged an answer of this group with high availability on (or had heard
 * nothing since it started). Every answer it can have received since was computed with
 * high availability on (turning it off or on forgets the acknowledgements), so it still
 * believes it is in the group. Only then does its silence past keepAliveTimeout prove
 * that its services are stopped.
 */
export function fences(member: Member): boolean {
  return typeof member.heard === 'number';
}

/**
 * Whether the node's agent predates the acknowledgement: the node was heard from, but
 * none of its heartbeats ever carried `heard`. Such a node gets the rules of the release
 * before the acknowledgement (docs/runbooks.md, "Upgrading to the acknowledgement"): its
 * silence past keepAliveTimeout is taken as its fence, its report of services stopped
 * counts as it did then, and a fallback or recovery moves its users without waiting for
 * an acknowledgement it can never send. Without this, a node still on an old agent would
 * never be failed over while its fleet is being upgraded.
 */
export function legacyAgent(member: Member): boolean {
  return member.lastHeartbeatAt !== null && member.acknowledges !== true;
}

/**
 * Whether the node's silence past keepAliveTimeout proves its services are stopped: its
 * agent acknowledged being in this group ({@link fences}), or the control plane never
 * heard from it at all, so never answered it, and an agent with no answer fences (the
 * manual's Peer Down During Initialization), or its agent predates the acknowledgement
 * and is trusted to fence as the release before it did ({@link legacyAgent}).
 */
export function silenceProvesFence(member: Member): boolean {
  return fences(member) || member.lastHeartbeatAt === null || legacyAgent(member);
}

/**
 * Whether the node acknowledged an answer of at least `epoch`: it heard the decision
 * taken at that epoch (its state, its order).
 */
export function heardEpoch(member: Member, epoch: number | null | undefined): boolean {
  if (epoch === null || epoch === undefined) return false;
  return typeof member.heard === 'number' && member.heard >= epoch;
}

/**
 * Whether users may leave the node without its acknowledgement of the decision taken at
 * `epoch`: it acknowledged it ({@link heardEpoch}), or its agent predates the
 * acknowledgement and can never send one ({@link legacyAgent}), so the decision is
 * carried out as the release before it did.
 */
export function toldOrLegacy(member: Member, epoch: number | null | undefined): boolean {
  return heardEpoch(member, epoch) || legacyAgent(member);
}
