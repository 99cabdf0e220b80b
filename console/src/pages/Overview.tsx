/** Every group with its nodes' states, the groups in trouble first, and a filter. */
import { useState } from 'preact/hooks';
import type { GroupView, NodeView } from '../../../lambdas/contract/responses';
import { Loading, StateBadge } from '../components';
import { useLive, useNow } from '../live';
import { allGroups, allNodes } from '../session';
import { SEVERITY, since, toneOf } from '../tone';

/** How bad a group looks: its worst node's tone. */
const severity = (g: GroupView) => Math.min(...g.nodes.map((n) => SEVERITY[toneOf(n.state)]));

export function Overview() {
  const now = useNow();
  const [filter, setFilter] = useState('');
  const { data, error } = useLive(async () => {
    const [groups, nodes] = await Promise.all([allGroups(), allNodes()]);
    return { groups, nodes };
  }, []);
  if (!data) return <Loading error={error} />;
  const byId = new Map<string, NodeView>(data.nodes.map((n) => [n.nodeId, n]));
  const words = filter.trim().toLowerCase();
  const matches = (g: GroupView) =>
    !words ||
    [
      g.name,
      g.description,
      g.clusterId,
      ...g.nodes.flatMap((n) => [n.nodeId, n.stateLabel ?? '', n.reasonLabel ?? '']),
    ]
      .join(' ')
      .toLowerCase()
      .includes(words);
  const groups = data.groups
    .filter(matches)
    .sort((a, b) => severity(a) - severity(b) || a.name.localeCompare(b.name));
  const loose = data.nodes.filter((n) => !n.group);
  return (
    <>
      <h1>Overview</h1>
      {error ? (
        <p role="alert" class="error">
          {error}
        </p>
      ) : null}
      <div class="field inline">
        <label for="filter">Filter</label>
        <input
          id="filter"
          type="search"
          value={filter}
          placeholder="group, node, state or reason"
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
      </div>
      <p class="count" aria-live="polite">
        {groups.length} of {data.groups.length} groups, those not Normal first
      </p>
      <ul class="cards">
        {groups.map((g) => (
          <li key={g.name} class="card">
            <h2>
              <a href={`#/groups/${encodeURIComponent(g.name)}`}>{g.name}</a>
            </h2>
            <p class="muted">
              {g.description || 'No description'} · cluster {g.clusterId} · high availability{' '}
              {g.highAvailability ? 'on' : 'off'}
              {g.operation ? ` · ${g.operation.kind.toLowerCase().replace('_', ' ')} in progress` : ''}
            </p>
            <table>
              <caption class="visually-hidden">Nodes of {g.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Node</th>
                  <th scope="col">State (reason)</th>
                  <th scope="col">Heartbeat</th>
                  <th scope="col">Users</th>
                </tr>
              </thead>
              <tbody>
                {g.nodes.map((n) => (
                  <tr key={n.nodeId}>
                    <th scope="row">{n.nodeId}</th>
                    <td>
                      <StateBadge state={n.state} reason={n.reason} />
                    </td>
                    <td>{since(n.lastHeartbeatAt, now)}</td>
                    <td>{byId.get(n.nodeId)?.userCount ?? '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </li>
        ))}
      </ul>
      {data.groups.length === 0 ? (
        <p>No group yet: register two nodes, then create a group of them.</p>
      ) : null}
      {loose.length > 0 ? (
        <section>
          <h2>Nodes in no group</h2>
          <ul>
            {loose.map((n) => (
              <li key={n.nodeId}>
                {n.nodeId} ({n.hostname}) · heartbeat {since(n.lastHeartbeatAt, now)} · {n.userCount} users
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
