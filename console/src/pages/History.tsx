/**
 * A group's history as a picture: one lane per node, coloured by state over the last
 * 24 hours, the reason on hover, operations marked; the same changes as a table below.
 */
import { useState } from 'preact/hooks';
import type { HistoryEntryView } from '../../../lambdas/contract/responses';
import type { NodeStateCode } from '../../../lambdas/core/catalogue';
import { Loading, StateBadge } from '../components';
import { useLive, useNow } from '../live';
import { api, readPages } from '../session';
import { reasonText, stateText, toneColour, toneOf } from '../tone';

/** The windows an operator can pick; the last 24 hours by default. */
const WINDOWS = [
  { label: '24 hours', ms: 24 * 3600e3, ticks: 4 },
  { label: 'hour', ms: 3600e3, ticks: 4 },
  { label: '10 minutes', ms: 600e3, ticks: 5 },
] as const;

/** "-6 h", "-15 min": how long before now a tick is. */
const ago = (ms: number) =>
  ms >= 3600e3 ? `-${Math.round(ms / 3600e3)} h` : `-${Math.round(ms / 60e3)} min`;
const WIDTH = 1000;
const LANE = 36;
const LEFT = 110;
const TOP = 24;

interface Segment {
  from: number;
  to: number;
  state: NodeStateCode | null;
  entry: HistoryEntryView | null;
}

/** A node's segments over [start, end]: each change opens one, the next closes it. */
export function lane(entries: HistoryEntryView[], start: number, end: number): Segment[] {
  const sorted = [...entries].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const before = sorted.filter((e) => Date.parse(e.at) < start).at(-1);
  const inside = sorted.filter((e) => Date.parse(e.at) >= start);
  const segments: Segment[] = [];
  // Before its first recorded change a node has no lane: the group may not have existed.
  let current: Segment | null = before ? { from: start, to: end, state: before.to, entry: before } : null;
  for (const e of inside) {
    const at = Date.parse(e.at);
    if (current) segments.push({ ...current, to: at });
    current = { from: at, to: end, state: e.to, entry: e };
  }
  if (current) segments.push(current);
  return segments.filter((s) => s.to > s.from);
}

/** Where an operation starts: a node begins failing over or taking its users back. */
const OPERATION_STARTS: readonly (NodeStateCode | null)[] = ['FAILING_OVER', 'TAKING_BACK', 'INITIALIZING'];

export function HistoryPage(props: { name: string }) {
  const now = useNow();
  const [windowIndex, setWindowIndex] = useState(0);
  const span = WINDOWS[windowIndex] ?? WINDOWS[0];
  const { data, error } = useLive(async () => {
    const [group, history] = await Promise.all([
      api.call('GET /v1/groups/{name}', { path: { name: props.name } }),
      // Newest first: pages are read until one reaches back past the longest window, so the
      // state at the window's start is known too.
      readPages(
        async (cursor) => {
          const r = await api.call('GET /v1/groups/{name}/history', {
            path: { name: props.name },
            query: { limit: 1000, cursor },
          });
          return { items: r.history, next: r.next };
        },
        (items) => Date.parse(items.at(-1)?.at ?? '') < Date.now() - WINDOWS[0].ms,
      ),
    ]);
    return { group, history };
  }, [props.name]);
  if (!data) return <Loading error={error} />;
  const end = now;
  const start = end - span.ms;
  const x = (t: number) => LEFT + ((t - start) / span.ms) * (WIDTH - LEFT - 10);
  const nodes = data.group.nodes.map((n) => n.nodeId);
  const recent = data.history.filter((e) => Date.parse(e.at) >= start);
  const operations = recent.filter((e) => OPERATION_STARTS.includes(e.to) && e.reason !== null);
  const height = TOP + nodes.length * LANE + 24;
  const ticks = Array.from({ length: span.ticks + 1 }, (_, i) => (span.ms / span.ticks) * i);
  return (
    <>
      <p class="crumbs">
        <a href="#/">Overview</a> › <a href={`#/groups/${encodeURIComponent(props.name)}`}>{props.name}</a> ›
        History
      </p>
      <h1>History of {props.name}</h1>
      <div class="field inline">
        <label for="window">Show the last</label>
        <select
          id="window"
          value={span.label}
          onChange={(e) => setWindowIndex(WINDOWS.findIndex((w) => w.label === e.currentTarget.value))}
        >
          {WINDOWS.map((w) => (
            <option key={w.label}>{w.label}</option>
          ))}
        </select>
      </div>
      <p class="muted">Hover a band for its state, reason and cause. ▼ marks the start of an operation.</p>
      <div class="timeline">
        <svg
          viewBox={`0 0 ${WIDTH} ${height}`}
          role="img"
          aria-label={`State of ${nodes.join(' and ')} over the last ${span.label}: ${recent.length} changes; the table below lists them.`}
        >
          {ticks.map((t) => (
            <g key={t}>
              <line x1={x(start + t)} x2={x(start + t)} y1={TOP - 4} y2={height - 20} class="tick" />
              <text
                x={x(start + t)}
                y={height - 6}
                text-anchor={t === span.ms ? 'end' : 'middle'}
                class="axis"
              >
                {t === span.ms ? 'now' : ago(span.ms - t)}
              </text>
            </g>
          ))}
          {nodes.map((node, i) => {
            const y = TOP + i * LANE;
            return (
              <g key={node}>
                <text x={4} y={y + LANE / 2 + 4} class="axis">
                  {node}
                </text>
                {lane(
                  data.history.filter((e) => e.nodeId === node),
                  start,
                  end,
                ).map((s) => (
                  <rect
                    key={s.from}
                    x={x(s.from)}
                    y={y + 4}
                    width={Math.max(1, x(s.to) - x(s.from))}
                    height={LANE - 8}
                    fill={toneColour(toneOf(s.state))}
                    class={`band tone-${toneOf(s.state)}`}
                  >
                    <title>
                      {`${node}: ${stateText(s.state)}${s.entry?.reason ? ` (${reasonText(s.entry.reason)})` : ''} from ${new Date(s.from).toLocaleString()}${s.entry ? ` — ${s.entry.cause}` : ''}`}
                    </title>
                  </rect>
                ))}
              </g>
            );
          })}
          {operations.map((e) => (
            <text
              key={`${e.at}-${e.nodeId}`}
              x={x(Date.parse(e.at))}
              y={TOP - 6}
              text-anchor="middle"
              class="op"
            >
              ▼<title>{`${new Date(e.at).toLocaleString()}: ${e.cause}`}</title>
            </text>
          ))}
        </svg>
      </div>
      <ul class="legend" aria-label="Colours">
        <li>
          <span class="swatch tone-ok" /> Normal
        </li>
        <li>
          <span class="swatch tone-busy" /> Changing
        </li>
        <li>
          <span class="swatch tone-warn" /> Failed over / backup
        </li>
        <li>
          <span class="swatch tone-bad" /> Failed, down or unknown
        </li>
        <li>
          <span class="swatch tone-off" /> Not managed
        </li>
      </ul>
      <h2>Changes</h2>
      {recent.length === 0 ? (
        <p>No change in the last {span.label}.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Node</th>
              <th scope="col">Became</th>
              <th scope="col">Cause</th>
            </tr>
          </thead>
          <tbody>
            {recent.map((e) => (
              <tr key={`${e.at}-${e.nodeId}-${e.to}`}>
                <td>{new Date(e.at).toLocaleTimeString()}</td>
                <th scope="row">{e.nodeId}</th>
                <td>
                  <StateBadge state={e.to} reason={e.reason} />
                </td>
                <td>{e.cause}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
