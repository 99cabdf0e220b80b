/**
 * A group's history as a picture: one lane per node, coloured by state over the last
 * 24 hours, the reason on hover, operations marked; the same changes as a table below.
 */
import type { HistoryEntryView } from '../../../lambdas/contract/responses';
import type { NodeStateCode } from '../../../lambdas/core/catalogue';
import { Loading, StateBadge } from '../components';
import { useLive, useNow } from '../live';
import { api } from '../session';
import { reasonText, stateText, toneColour, toneOf } from '../tone';

const DAY_MS = 24 * 3600 * 1000;
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
  let current: Segment | null = before
    ? { from: start, to: end, state: before.to, entry: before }
    : inside[0]
      ? { from: start, to: end, state: inside[0].from, entry: null }
      : null;
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
  const { data, error } = useLive(async () => {
    const [group, history] = await Promise.all([
      api.call('GET /v1/groups/{name}', { path: { name: props.name } }),
      api.call('GET /v1/groups/{name}/history', { path: { name: props.name }, query: { limit: 1000 } }),
    ]);
    return { group, history: history.history };
  }, [props.name]);
  if (!data) return <Loading error={error} />;
  const end = now;
  const start = end - DAY_MS;
  const x = (t: number) => LEFT + ((t - start) / DAY_MS) * (WIDTH - LEFT - 10);
  const nodes = data.group.nodes.map((n) => n.nodeId);
  const recent = data.history.filter((e) => Date.parse(e.at) >= start);
  const operations = recent.filter((e) => OPERATION_STARTS.includes(e.to) && e.reason !== null);
  const height = TOP + nodes.length * LANE + 24;
  const hours = [0, 6, 12, 18, 24];
  return (
    <>
      <p class="crumbs">
        <a href="#/">Overview</a> › <a href={`#/groups/${encodeURIComponent(props.name)}`}>{props.name}</a> ›
        History
      </p>
      <h1>History of {props.name}</h1>
      <p class="muted">
        The last 24 hours; hover or focus a band for its state and reason. ▼ marks the start of an operation.
      </p>
      <div class="timeline">
        <svg
          viewBox={`0 0 ${WIDTH} ${height}`}
          role="img"
          aria-label={`State of ${nodes.join(' and ')} over the last 24 hours: ${recent.length} changes; the table below lists them.`}
        >
          {hours.map((h) => (
            <g key={h}>
              <line
                x1={x(start + h * 3600e3)}
                x2={x(start + h * 3600e3)}
                y1={TOP - 4}
                y2={height - 20}
                class="tick"
              />
              <text x={x(start + h * 3600e3)} y={height - 6} text-anchor="middle" class="axis">
                {h === 24 ? 'now' : `-${24 - h} h`}
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
        <p>No change in the last 24 hours.</p>
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
