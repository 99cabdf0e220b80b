/** One group, the manual's configuration window: members, high availability, states and the actions they allow. */
import { useState } from 'preact/hooks';
import type { DryRunView, GroupView } from '../../../lambdas/contract/responses';
import { consequences, nodeActions, recoverAction, type Action } from '../actions';
import { Dialog, Flag, Loading, Prose, StateBadge } from '../components';
import { useLive, useNow } from '../live';
import { useRole } from '../role';
import { allNodes, api, describeError } from '../session';
import { reasonText, since, stateText } from '../tone';

type NodeStatus = DryRunView['nodes'][number];
const statuses = (list: NodeStatus[]) =>
  list
    .map((n) => `${n.nodeId} ${stateText(n.state)}${n.reason ? ` (${reasonText(n.reason)})` : ''}`)
    .join(', ');

/** Sends an action, or with `dryRun` asks what it would do; each through its own typed route. */
function send(group: string, a: Action, dryRun: boolean) {
  const path = { name: group };
  if (a.kind === 'recover') return api.call('POST /v1/groups/{name}/recover', { path, body: { dryRun } });
  const body = { nodeId: a.nodeId ?? '', dryRun };
  return a.kind === 'failover'
    ? api.call('POST /v1/groups/{name}/failover', { path, body })
    : api.call('POST /v1/groups/{name}/fallback', { path, body });
}

/** What the API's dry run says the action would do, in the dialog. */
function Preview(props: { preview: { result: DryRunView | null; error: string | null } | null }) {
  const p = props.preview;
  if (!p) return <p aria-busy="true">Asking the API what this would do…</p>;
  if (p.error) return <p class="error">The API would refuse it now: {p.error}</p>;
  if (!p.result) return null;
  return (
    <ul>
      <li>Right away: {statuses(p.result.nodes)}.</li>
      <li>When it is done: {statuses(p.result.end)}.</li>
      <li>
        {p.result.usersToMove} {p.result.usersToMove === 1 ? 'user moves' : 'users move'} to another node;
        their clients log in again there.
      </li>
    </ul>
  );
}

/**
 * What an agent older than the acknowledgement (it sends no `heard`) means for its node
 * (docs/runbooks.md, "Upgrading to the acknowledgement").
 */
const oldAgentConsequence = (nodeId: string) =>
  `${nodeId}’s agent is too old to acknowledge what it hears (no \`heard\`), so the older failover rules apply: its silence is taken as fenced without proof, and if it missed a failover it can serve its users beside their new node until it fences. Upgrade prg-agent on ${nodeId} (runbook: Upgrading to the acknowledgement).`;

function ActionButton(props: { action: Action; onOpen: (a: Action) => void }) {
  const { action } = props;
  const id = `why-${action.kind}-${action.nodeId ?? 'group'}`;
  return (
    <span class="action">
      <button
        type="button"
        // aria-disabled rather than disabled: the button stays focusable, so the reason can be reached by keyboard.
        aria-disabled={action.blocked ? 'true' : undefined}
        aria-describedby={action.blocked ? id : undefined}
        class={action.blocked ? 'blocked' : ''}
        onClick={() => {
          if (!action.blocked) props.onOpen(action);
        }}
      >
        {action.label}
      </button>
      {action.blocked ? (
        <span id={id} role="tooltip" class="why">
          {action.blocked}
        </span>
      ) : null}
    </span>
  );
}

export function GroupPage(props: { name: string }) {
  const role = useRole();
  const now = useNow();
  const [open, setOpen] = useState<Action | 'ha' | null>(null);
  const [busy, setBusy] = useState(false);
  const [actError, setActError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [preview, setPreview] = useState<{ result: DryRunView | null; error: string | null } | null>(null);
  const { data, error, reload } = useLive(async () => {
    const [group, nodes] = await Promise.all([
      api.call('GET /v1/groups/{name}', { path: { name: props.name } }),
      allNodes(),
    ]);
    return { group, users: new Map(nodes.map((n) => [n.nodeId, n.userCount])) };
  }, [props.name]);
  if (!data) return <Loading error={error} />;
  const g: GroupView = data.group;

  const close = () => {
    setOpen(null);
    setActError(null);
    setPreview(null);
  };
  const openAction = (a: Action) => {
    setOpen(a);
    setPreview(null);
    send(g.name, a, true).then(
      (r) => setPreview({ result: 'dryRun' in r ? r : null, error: null }),
      (e: unknown) => setPreview({ result: null, error: describeError(e) }),
    );
  };
  const act = async (a: Action | 'ha') => {
    setBusy(true);
    setActError(null);
    try {
      if (a === 'ha') {
        await api.call('PATCH /v1/groups/{name}', {
          path: { name: g.name },
          body: { highAvailability: !g.highAvailability },
        });
        setNotice(`High availability turned ${g.highAvailability ? 'off' : 'on'}.`);
      } else {
        const accepted = await send(g.name, a, false);
        const operation = 'operation' in accepted ? accepted.operation : null;
        setNotice(
          `${a.label}: accepted${operation ? ` (operation ${operation.id})` : ''}. This page follows it as it happens.`,
        );
      }
      close();
      reload();
    } catch (e) {
      setActError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const recover = recoverAction(g, role);
  const haBlocked =
    role !== 'admin' ? 'You are signed in with a read token: it shows everything and acts on nothing.' : null;

  return (
    <>
      <p class="crumbs">
        <a href="#/">Overview</a> › {g.name}
      </p>
      <h1>Group {g.name}</h1>
      {error ? (
        <p role="alert" class="error">
          {error}
        </p>
      ) : null}
      <div aria-live="polite" class="notice">
        {notice}
      </div>
      <dl class="facts">
        <dt>Description</dt>
        <dd>{g.description || 'None'}</dd>
        <dt>Cluster</dt>
        <dd>{g.clusterId}</dd>
        <dt>Members</dt>
        <dd>{g.nodes.map((n) => n.nodeId).join(', ')}</dd>
        <dt id="ha-label">High availability</dt>
        <dd>
          <button
            type="button"
            role="switch"
            aria-checked={g.highAvailability ? 'true' : 'false'}
            aria-labelledby="ha-label"
            aria-disabled={haBlocked ? 'true' : undefined}
            aria-describedby={haBlocked ? 'why-ha' : undefined}
            class={`switch${haBlocked ? ' blocked' : ''}`}
            onClick={() => {
              if (!haBlocked) setOpen('ha');
            }}
          >
            <span aria-hidden="true">{g.highAvailability ? '● On' : '○ Off'}</span>
          </button>
          {haBlocked ? (
            <span id="why-ha" role="tooltip" class="why">
              {haBlocked}
            </span>
          ) : null}
        </dd>
        <dt>Operation</dt>
        <dd>
          {g.operation
            ? `${g.operation.kind} from ${g.operation.fromNode} to ${g.operation.toNode}, ${g.operation.phase.toLowerCase().replace('_', ' ')}, started ${since(g.operation.startedAt, now)}`
            : g.lastOperation
              ? `None running; the last (${g.lastOperation.kind}) ${g.lastOperation.outcome} ${since(g.lastOperation.endedAt, now)}`
              : 'None'}
        </dd>
      </dl>
      <p>
        <a href={`#/groups/${encodeURIComponent(g.name)}/history`}>History of {g.name}</a>
      </p>
      <div class="cards">
        {g.nodes.map((n) => (
          <section key={n.nodeId} class="card" aria-labelledby={`node-${n.nodeId}`}>
            <h2 id={`node-${n.nodeId}`}>{n.nodeId}</h2>
            <p class="big" data-testid={`state-${n.nodeId}`}>
              <StateBadge state={n.state} reason={n.reason} />
            </p>
            <p class="muted">
              Last heartbeat {since(n.lastHeartbeatAt, now)} · {data.users.get(n.nodeId) ?? 0} users ·
              database {n.database ?? 'not reported'}
            </p>
            {n.agentAcknowledges === false ? (
              <p class="warning">
                <Flag
                  label="Old agent: upgrade prg-agent"
                  consequence={oldAgentConsequence(n.nodeId)}
                  testId={`old-agent-${n.nodeId}`}
                />{' '}
                <Prose text={oldAgentConsequence(n.nodeId)} />
              </p>
            ) : null}
            {n.cause ? (
              <p>
                <Prose text={n.cause} />
              </p>
            ) : null}
            {n.recommendedActions.length > 0 ? (
              <>
                <h3>Recommended actions</h3>
                <ol>
                  {n.recommendedActions.map((t, i) => (
                    <li key={i}>
                      <Prose text={t} />
                    </li>
                  ))}
                </ol>
              </>
            ) : null}
            <div class="actions">
              {nodeActions(g, n, role).map((a) => (
                <ActionButton key={a.label} action={a} onOpen={openAction} />
              ))}
            </div>
          </section>
        ))}
      </div>
      <div class="actions">
        <ActionButton action={recover} onOpen={openAction} />
      </div>
      {open === 'ha' ? (
        <Dialog
          title={`Turn high availability ${g.highAvailability ? 'off' : 'on'} for ${g.name}`}
          confirm={g.highAvailability ? 'Turn off' : 'Turn on'}
          busy={busy}
          error={actError}
          onConfirm={() => void act('ha')}
          onCancel={close}
        >
          <p>
            {g.highAvailability
              ? 'presence-ha stops managing both nodes: no failover happens on its own, and every user is served by its home node.'
              : 'Both nodes start Initializing and are judged on their heartbeats; healthy ones turn Normal.'}
          </p>
        </Dialog>
      ) : open ? (
        <Dialog
          title={`${open.label} in group ${g.name}?`}
          confirm={open.label}
          busy={busy}
          error={actError}
          onConfirm={() => void act(open)}
          onCancel={close}
        >
          <ul>
            {consequences(open, g, data.users).map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ul>
          <h3>The API’s dry run</h3>
          <Preview preview={preview} />
        </Dialog>
      ) : null}
    </>
  );
}
