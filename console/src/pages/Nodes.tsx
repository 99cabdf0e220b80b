/** Nodes: register one (its token is shown this once), rotate a token, delete a node. */
import { useState } from 'preact/hooks';
import { Dialog, Field, Flag, Loading, Prose } from '../components';
import { useLive, useNow } from '../live';
import { useRole } from '../role';
import { allNodes, api, describeError, fieldErrors } from '../session';
import { since } from '../tone';
import { legacyWindow, type LegacyWindow } from '../../../lambdas/contract/client';

const FIELDS = [
  { key: 'nodeId', label: 'Node id' },
  { key: 'hostname', label: 'Hostname' },
  { key: 'clusterId', label: 'Cluster id' },
  { key: 'softwareVersion', label: 'Software version' },
  { key: 'publisherId', label: 'Publisher id' },
] as const;
type Form = Record<(typeof FIELDS)[number]['key'], string>;
const EMPTY: Form = { nodeId: '', hostname: '', clusterId: '', softwareVersion: '', publisherId: '' };

/** What a legacy (prgn.) token means for its node, the same for every node. */
const LEGACY_CONSEQUENCE =
  'This node still authenticates with a legacy prgn. token. The control plane refuses it once the legacy window closes, and the node’s agent, no longer answered, fences.';

/**
 * When the legacy tokens stop working, from the API's `legacyTokenAcceptedUntil` (one
 * window per deployment): the date to plan the rotations by, or that it has passed.
 */
function legacyDeadline(w: LegacyWindow): string {
  const day = (at: string) => `${at.slice(0, 10)} ${at.slice(11, 16)} UTC`;
  switch (w.kind) {
    case 'untold':
      return 'refused once the legacy window closes';
    case 'none':
      return 'refused now: this deployment accepts no legacy token';
    case 'closed':
      return `refused since the legacy window closed on ${day(w.at)}`;
    case 'open':
      return `refused from ${day(w.at)} (in ${w.left})`;
  }
}

/** A token shown this once, with a copy button. */
function OneTimeToken(props: { nodeId: string; token: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <section class="card token" aria-labelledby="token-title">
      <h2 id="token-title">Token of {props.nodeId}</h2>
      <p>
        Shown this once: put it in the node's prg-agent configuration now. It cannot be read again, only
        rotated.
      </p>
      <p>
        <code id="one-time-token">{props.token}</code>
      </p>
      <button
        type="button"
        onClick={() =>
          void navigator.clipboard.writeText(props.token).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        Copy token
      </button>{' '}
      <button type="button" onClick={props.onDone}>
        Done
      </button>
      <span aria-live="polite">{copied ? ' Copied.' : ''}</span>
    </section>
  );
}

export function NodesPage() {
  const role = useRole();
  const now = useNow();
  const [form, setForm] = useState<Form>(EMPTY);
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [message, setMessage] = useState<string | null>(null);
  const [token, setToken] = useState<{ nodeId: string; token: string } | null>(null);
  const [confirm, setConfirm] = useState<{ kind: 'rotate' | 'delete'; nodeId: string } | null>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  const { data, error, reload } = useLive(async () => ({ nodes: await allNodes() }), []);
  if (!data) return <Loading error={error} />;
  const admin = role === 'admin';
  // The Token column only while some node holds a prgn. token (as in `prg node list`): it
  // is then the list of tokens to rotate, and it leaves the page once there are none.
  const legacy = data.nodes.filter((n) => n.legacyToken);
  const legacyState = legacyWindow(legacy[0]?.legacyTokenAcceptedUntil, now);
  const legacyClosed = legacyState.kind === 'none' || legacyState.kind === 'closed';

  const register = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await api.call('POST /v1/nodes', { body: form });
      setToken({ nodeId: r.node.nodeId, token: r.token });
      setForm(EMPTY);
      setErrors(new Map());
      setMessage(null);
      reload();
    } catch (err) {
      setErrors(fieldErrors(err));
      setMessage(`Not registered: ${describeError(err)}`);
    }
  };
  const run = async () => {
    if (!confirm) return;
    try {
      if (confirm.kind === 'rotate') {
        const r = await api.call('POST /v1/nodes/{nodeId}/token', { path: { nodeId: confirm.nodeId } });
        setToken({ nodeId: confirm.nodeId, token: r.token });
      } else {
        await api.call('DELETE /v1/nodes/{nodeId}', { path: { nodeId: confirm.nodeId } });
        setMessage(`${confirm.nodeId} deleted.`);
      }
      setConfirm(null);
      setDialogError(null);
      reload();
    } catch (err) {
      setDialogError(describeError(err));
    }
  };
  return (
    <>
      <h1>Nodes</h1>
      <p aria-live="polite" class="notice">
        {message}
      </p>
      {token ? <OneTimeToken {...token} onDone={() => setToken(null)} /> : null}
      {legacy.length > 0 ? (
        <p class="warning" data-testid="legacy-advice">
          <Prose
            text={`${legacy.length === 1 ? '1 node still holds' : `${legacy.length} nodes still hold`} a legacy (prgn.) token, ${legacyDeadline(legacyState)}. Rotate each (its Rotate token button, or \`prg node rotate-token <nodeId>\`) and put the new token in its agent’s configuration ${legacyClosed ? 'now: until then the agent is not answered, and fences.' : 'before then.'}`}
          />
        </p>
      ) : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Hostname</th>
            <th scope="col">Group</th>
            <th scope="col">Heartbeat</th>
            {legacy.length > 0 ? <th scope="col">Token</th> : null}
            {admin ? <th scope="col">Actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {data.nodes.map((n) => (
            <tr key={n.nodeId}>
              <th scope="row">{n.nodeId}</th>
              <td>{n.hostname}</td>
              <td>{n.group ?? '–'}</td>
              <td>{since(n.lastHeartbeatAt, now)}</td>
              {legacy.length > 0 ? (
                <td>
                  {n.legacyToken ? (
                    <>
                      <Flag
                        label="Legacy token"
                        consequence={LEGACY_CONSEQUENCE}
                        testId={`legacy-${n.nodeId}`}
                      />{' '}
                      <span class="muted">
                        rotate: <code>prg node rotate-token {n.nodeId}</code>
                      </span>
                    </>
                  ) : (
                    <span class="muted">Current token</span>
                  )}
                </td>
              ) : null}
              {admin ? (
                <td>
                  <button type="button" onClick={() => setConfirm({ kind: 'rotate', nodeId: n.nodeId })}>
                    Rotate token of {n.nodeId}
                  </button>{' '}
                  <button type="button" onClick={() => setConfirm({ kind: 'delete', nodeId: n.nodeId })}>
                    Delete {n.nodeId}
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {admin ? (
        <form onSubmit={(e) => void register(e)} aria-labelledby="register-title">
          <h2 id="register-title">Register a node</h2>
          {FIELDS.map((f) => (
            <Field key={f.key} id={`reg-${f.key}`} label={f.label} error={errors.get(f.key)}>
              {(describedBy, invalid) => (
                <input
                  id={`reg-${f.key}`}
                  value={form[f.key]}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  onInput={(e) => setForm({ ...form, [f.key]: e.currentTarget.value })}
                />
              )}
            </Field>
          ))}
          <button type="submit">Register</button>
        </form>
      ) : (
        <p class="muted">Read only: sign in with the admin token to register, rotate or delete nodes.</p>
      )}
      {confirm ? (
        <Dialog
          title={
            confirm.kind === 'rotate' ? `Rotate the token of ${confirm.nodeId}?` : `Delete ${confirm.nodeId}?`
          }
          confirm={
            confirm.kind === 'rotate' ? `Rotate token of ${confirm.nodeId}` : `Delete ${confirm.nodeId}`
          }
          error={dialogError}
          onConfirm={() => void run()}
          onCancel={() => {
            setConfirm(null);
            setDialogError(null);
          }}
        >
          <p>
            {confirm.kind === 'rotate'
              ? `The old token stops working at once: ${confirm.nodeId}'s agent is refused until it has the new one.`
              : `${confirm.nodeId} is forgotten. The API refuses while it is in a group or home to users.`}
          </p>
        </Dialog>
      ) : null}
    </>
  );
}
