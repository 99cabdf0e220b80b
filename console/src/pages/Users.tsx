/** Users: find one, users per node, the assignment mode, and rebalancing a cluster. */
import { useState } from 'preact/hooks';
import type { UserView } from '../../../lambdas/contract/responses';
import { Field, Loading } from '../components';
import { useLive } from '../live';
import { useRole } from '../role';
import { allNodes, api, describeError, fieldErrors } from '../session';

const MODES = {
  BALANCED: 'Balanced: each new user goes to the node with the fewest users',
  ACTIVE_STANDBY: 'Active/Standby: new users go to the first node of a group',
  NONE: 'None: an administrator sets each user’s home node',
} as const;
type Mode = keyof typeof MODES;

function FindUser() {
  const [id, setId] = useState('');
  const [user, setUser] = useState<UserView | null>(null);
  const [error, setError] = useState<string | undefined>();
  const find = async (e: Event) => {
    e.preventDefault();
    setUser(null);
    try {
      setUser(await api.call('GET /v1/users/{userId}', { path: { userId: id.trim() } }));
      setError(undefined);
    } catch (err) {
      setError(fieldErrors(err).get('userId') ?? describeError(err));
    }
  };
  return (
    <form onSubmit={(e) => void find(e)} aria-labelledby="find-title">
      <h2 id="find-title">Find a user</h2>
      <Field id="user-id" label="User id" error={error}>
        {(describedBy, invalid) => (
          <input
            id="user-id"
            value={id}
            onInput={(e) => setId(e.currentTarget.value)}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            required
          />
        )}
      </Field>
      <button type="submit">Find</button>
      {user ? (
        <dl class="facts" aria-live="polite">
          <dt>Home node</dt>
          <dd>{user.homeNode ?? 'none (assignment mode None)'}</dd>
          <dt>Served by</dt>
          <dd>{user.currentNode ?? 'no node'}</dd>
          <dt>Re-login window</dt>
          <dd>
            {user.relogin
              ? `${user.relogin.lowerLimitSeconds}–${user.relogin.upperLimitSeconds} s; this user's client after ${user.relogin.afterSeconds} s`
              : 'not applicable'}
          </dd>
        </dl>
      ) : null}
    </form>
  );
}

export function UsersPage() {
  const role = useRole();
  const [message, setMessage] = useState<string | null>(null);
  const { data, error, reload } = useLive(async () => {
    const [nodes, enterprise] = await Promise.all([allNodes(), api.call('GET /v1/enterprise-parameters')]);
    return { nodes, mode: enterprise.userAssignmentMode as Mode };
  }, []);
  if (!data) return <Loading error={error} />;
  const clusters = [...new Set(data.nodes.map((n) => n.clusterId))].sort();
  const readOnly = role !== 'admin';
  const setMode = async (mode: Mode) => {
    try {
      await api.call('PUT /v1/enterprise-parameters', { body: { userAssignmentMode: mode } });
      setMessage(`Assignment mode is now ${mode}.`);
      reload();
    } catch (e) {
      setMessage(describeError(e));
    }
  };
  const rebalance = async (clusterId: string) => {
    try {
      const r = await api.call('POST /v1/clusters/{clusterId}/rebalance', { path: { clusterId } });
      setMessage(
        `Rebalanced ${clusterId}: ${r.moved} users moved${r.remaining ? `, ${r.remaining} left (rebalance again)` : ''}.`,
      );
      reload();
    } catch (e) {
      setMessage(describeError(e));
    }
  };
  return (
    <>
      <h1>Users</h1>
      <p aria-live="polite" class="notice">
        {message}
      </p>
      <FindUser />
      <h2>Users per node</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Cluster</th>
            <th scope="col">Group</th>
            <th scope="col">Users</th>
          </tr>
        </thead>
        <tbody>
          {data.nodes.map((n) => (
            <tr key={n.nodeId}>
              <th scope="row">{n.nodeId}</th>
              <td>{n.clusterId}</td>
              <td>{n.group ?? '–'}</td>
              <td>{n.userCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <fieldset>
        <legend>User assignment mode</legend>
        {(Object.keys(MODES) as Mode[]).map((m) => (
          <label key={m} class="radio">
            <input
              type="radio"
              name="mode"
              value={m}
              checked={data.mode === m}
              disabled={readOnly}
              onChange={() => void setMode(m)}
            />{' '}
            {MODES[m]}
          </label>
        ))}
      </fieldset>
      <h2>Rebalance</h2>
      <p class="muted">Reassigns users over a cluster's nodes by the assignment mode, at most 500 a call.</p>
      {readOnly ? (
        <p class="muted">Read only: sign in with the admin token to rebalance.</p>
      ) : (
        clusters.map((c) => (
          <button key={c} type="button" onClick={() => void rebalance(c)}>
            Rebalance {c}
          </button>
        ))
      )}
    </>
  );
}
