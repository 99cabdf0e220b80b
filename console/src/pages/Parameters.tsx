/**
 * The Server Recovery Manager's service parameters: cluster-wide ones per cluster, and
 * per node the client re-login limits. A refused change shows the API's reason at the
 * field it names.
 */
import { useState } from 'preact/hooks';
import { Field, Loading } from '../components';
import { useLive } from '../live';
import { useRole } from '../role';
import { allNodes, api, describeError, fieldErrors } from '../session';

type Kind = 'number' | 'boolean' | 'list';
interface Param {
  key: string;
  label: string;
  kind: Kind;
  unit: string;
  fallback: string;
}

/** The cluster-wide parameters with the manual's names, units and defaults (docs/data-model.md). */
const CLUSTER: readonly Param[] = [
  { key: 'servicePort', label: 'Service Port', kind: 'number', unit: 'port', fallback: '22001' },
  { key: 'adminRpcPort', label: 'Admin RPC Port', kind: 'number', unit: 'port', fallback: '20075' },
  {
    key: 'criticalServiceDelay',
    label: 'Critical Service Delay',
    kind: 'number',
    unit: 'seconds',
    fallback: '90',
  },
  {
    key: 'enableAutomaticFallback',
    label: 'Enable Automatic Fallback',
    kind: 'boolean',
    unit: '',
    fallback: 'off',
  },
  {
    key: 'automaticFallbackDelay',
    label: 'Automatic Fallback Delay',
    kind: 'number',
    unit: 'seconds',
    fallback: '1800',
  },
  {
    key: 'initializationKeepAliveTimeout',
    label: 'Initialization Keep Alive (Heartbeat) Timeout',
    kind: 'number',
    unit: 'seconds',
    fallback: '120',
  },
  {
    key: 'keepAliveTimeout',
    label: 'Keep Alive (Heartbeat) Timeout',
    kind: 'number',
    unit: 'seconds',
    fallback: '60',
  },
  {
    key: 'keepAliveInterval',
    label: 'Keep Alive (Heartbeat) Interval',
    kind: 'number',
    unit: 'seconds',
    fallback: '15',
  },
  {
    key: 'criticalServices',
    label: 'Critical services',
    kind: 'list',
    unit: 'one per line',
    fallback: 'the five Cisco services',
  },
];

const NODE: readonly Param[] = [
  {
    key: 'clientReloginLowerLimit',
    label: 'Client Re-Login Lower Limit',
    kind: 'number',
    unit: 'seconds',
    fallback: '120',
  },
  {
    key: 'clientReloginUpperLimit',
    label: 'Client Re-Login Upper Limit',
    kind: 'number',
    unit: 'seconds',
    fallback: '537',
  },
];

type Values = Record<string, string | boolean>;

const toForm = (params: readonly Param[], v: Record<string, unknown>): Values =>
  Object.fromEntries(
    params.map((p) => [
      p.key,
      p.kind === 'boolean'
        ? Boolean(v[p.key])
        : p.kind === 'list'
          ? ((v[p.key] as string[]) ?? []).join('\n')
          : String(v[p.key] ?? ''),
    ]),
  );

/** The changed fields only, typed as the API takes them; a number field left unparseable is sent as typed, for the API to refuse by name. */
function patchOf(params: readonly Param[], before: Values, after: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of params) {
    const value = after[p.key];
    if (value === before[p.key]) continue;
    if (p.kind === 'boolean') out[p.key] = value;
    else if (p.kind === 'list')
      out[p.key] = String(value)
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean);
    else out[p.key] = String(value).trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  return out;
}

function ParamForm(props: {
  idPrefix: string;
  title: string;
  params: readonly Param[];
  values: Record<string, unknown>;
  save: (patch: Record<string, unknown>) => Promise<unknown>;
}) {
  const role = useRole();
  const initial = toForm(props.params, props.values);
  const [edits, setEdits] = useState<Values>({});
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [message, setMessage] = useState<string | null>(null);
  const values = { ...initial, ...edits };
  const readOnly = role !== 'admin';
  const submit = async (e: Event) => {
    e.preventDefault();
    const patch = patchOf(props.params, initial, values);
    if (Object.keys(patch).length === 0) return setMessage('Nothing changed.');
    try {
      await props.save(patch);
      setEdits({});
      setErrors(new Map());
      setMessage('Saved.');
    } catch (err) {
      const byField = fieldErrors(err);
      setErrors(byField);
      setMessage(
        byField.size > 0 ? 'Not saved: see the fields marked ✕.' : `Not saved: ${describeError(err)}`,
      );
      // Focus the first refused field, so a keyboard user lands on the reason.
      const first = props.params.find((p) => byField.has(p.key));
      if (first) document.getElementById(`${props.idPrefix}-${first.key}`)?.focus();
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-labelledby={`${props.idPrefix}-title`}>
      <h2 id={`${props.idPrefix}-title`}>{props.title}</h2>
      {props.params.map((p) => {
        const id = `${props.idPrefix}-${p.key}`;
        const hint = `${p.unit ? `${p.unit}; ` : ''}default ${p.fallback}`;
        const set = (v: string | boolean) => setEdits({ ...edits, [p.key]: v });
        return (
          <Field key={p.key} id={id} label={p.label} hint={hint} error={errors.get(p.key)}>
            {(describedBy, invalid) =>
              p.kind === 'boolean' ? (
                <input
                  id={id}
                  type="checkbox"
                  checked={Boolean(values[p.key])}
                  disabled={readOnly}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  onChange={(e) => set(e.currentTarget.checked)}
                />
              ) : p.kind === 'list' ? (
                <textarea
                  id={id}
                  rows={5}
                  readOnly={readOnly}
                  value={String(values[p.key])}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  onInput={(e) => set(e.currentTarget.value)}
                />
              ) : (
                <input
                  id={id}
                  inputMode="numeric"
                  readOnly={readOnly}
                  value={String(values[p.key])}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  onInput={(e) => set(e.currentTarget.value)}
                />
              )
            }
          </Field>
        );
      })}
      <p aria-live="polite">{message}</p>
      {readOnly ? (
        <p class="muted">Read only: sign in with the admin token to change parameters.</p>
      ) : (
        <button type="submit">Save {props.title.toLowerCase()}</button>
      )}
    </form>
  );
}

export function ParametersPage() {
  const [cluster, setCluster] = useState<string | null>(null);
  const [node, setNode] = useState<string | null>(null);
  const nodes = useLive(async () => ({ nodes: await allNodes() }), []);
  const clusters = [...new Set((nodes.data?.nodes ?? []).map((n) => n.clusterId))].sort();
  const clusterId = cluster ?? clusters[0] ?? null;
  const nodeId = node ?? nodes.data?.nodes[0]?.nodeId ?? null;
  const clusterParams = useLive(
    async () =>
      clusterId ? api.call('GET /v1/clusters/{clusterId}/parameters', { path: { clusterId } }) : null,
    [clusterId],
  );
  const nodeParams = useLive(
    async () => (nodeId ? api.call('GET /v1/nodes/{nodeId}/parameters', { path: { nodeId } }) : null),
    [nodeId],
  );
  if (!nodes.data) return <Loading error={nodes.error} />;
  return (
    <>
      <h1>Parameters</h1>
      {clusters.length === 0 ? <p>No node is registered yet, so there is no cluster to configure.</p> : null}
      {clusterId ? (
        <section>
          <div class="field inline">
            <label for="cluster">Cluster</label>
            <select id="cluster" value={clusterId} onChange={(e) => setCluster(e.currentTarget.value)}>
              {clusters.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </div>
          {clusterParams.data ? (
            <ParamForm
              key={`c-${clusterId}-${JSON.stringify(clusterParams.data)}`}
              idPrefix="cluster"
              title="Cluster-wide parameters"
              params={CLUSTER}
              values={clusterParams.data}
              save={(patch) =>
                api.call('PATCH /v1/clusters/{clusterId}/parameters', {
                  path: { clusterId },
                  body: patch as never,
                })
              }
            />
          ) : (
            <Loading error={clusterParams.error} />
          )}
        </section>
      ) : null}
      {nodeId ? (
        <section>
          <div class="field inline">
            <label for="node">Node</label>
            <select id="node" value={nodeId} onChange={(e) => setNode(e.currentTarget.value)}>
              {nodes.data.nodes.map((n) => (
                <option key={n.nodeId}>{n.nodeId}</option>
              ))}
            </select>
          </div>
          {nodeParams.data ? (
            <ParamForm
              key={`n-${nodeId}-${JSON.stringify(nodeParams.data)}`}
              idPrefix="node"
              title="Per-node parameters"
              params={NODE}
              values={nodeParams.data}
              save={(patch) =>
                api.call('PATCH /v1/nodes/{nodeId}/parameters', { path: { nodeId }, body: patch as never })
              }
            />
          ) : (
            <Loading error={nodeParams.error} />
          )}
        </section>
      ) : null}
    </>
  );
}
