/**
 * The operator's console: the overview of groups, each group's page with its actions,
 * the history picture, parameters, users and nodes, over the API's typed client.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './styles.css';
import { finishHostedUi, hostedUiLogoutUrl, redirectToHostedUi } from './cognito';
import { startLive, stopLiveUpdates, useLiveStatus, useNow } from './live';
import { describeError, probeRole, session, type ConsoleConfig } from './session';
import { Overview } from './pages/Overview';
import { GroupPage } from './pages/Group';
import { HistoryPage } from './pages/History';
import { ParametersPage } from './pages/Parameters';
import { UsersPage } from './pages/Users';
import { NodesPage } from './pages/Nodes';
import { RoleContext, type Role } from './role';

/** Hash routes (#/groups/prg-1): one index.html serves every page, on any static host. */
type Page =
  | { page: 'overview' }
  | { page: 'group'; name: string }
  | { page: 'history'; name: string }
  | { page: 'parameters' }
  | { page: 'users' }
  | { page: 'nodes' };

function parseRoute(hash: string): Page {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'groups' && parts[1])
    return parts[2] === 'history' ? { page: 'history', name: parts[1] } : { page: 'group', name: parts[1] };
  if (parts[0] === 'parameters') return { page: 'parameters' };
  if (parts[0] === 'users') return { page: 'users' };
  if (parts[0] === 'nodes') return { page: 'nodes' };
  return { page: 'overview' };
}

const TITLES: Record<Page['page'], string> = {
  overview: 'Overview',
  group: 'Group',
  history: 'History',
  parameters: 'Parameters',
  users: 'Users',
  nodes: 'Nodes',
};

function useRoute(): Page {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function Freshness() {
  const s = useLiveStatus();
  const now = useNow();
  const age = s.refreshedAt ? Math.round((now - s.refreshedAt) / 1000) : null;
  // Before the stream's first answer the page says "connecting", not "reconnecting":
  // nothing was lost yet.
  const how =
    s.mode === 'poll'
      ? 'rereads every 3 s'
      : s.connected
        ? 'live (events)'
        : s.dropped
          ? 'reconnecting to events…'
          : 'connecting to events…';
  const stale = age !== null && age > 15;
  return (
    <p class={`freshness${stale || !s.connected ? ' stale' : ''}`} aria-live="off">
      <span aria-hidden="true">{s.connected ? '●' : '○'}</span>{' '}
      {age === null ? 'Not loaded yet' : `Updated ${age} s ago`} · {how}
      {s.error ? ` · ${s.error}` : ''}
    </p>
  );
}

function SignIn(props: { config: ConsoleConfig; onToken: (t: string) => void; error: string | null }) {
  const [token, setToken] = useState('');
  if (props.config.auth === 'cognito' && props.config.cognito) {
    const cognito = props.config.cognito;
    return (
      <main id="main" class="signin">
        <h1>presence-ha console</h1>
        {props.error ? (
          <p role="alert" class="error">
            {props.error}
          </p>
        ) : null}
        <button type="button" onClick={() => void redirectToHostedUi(cognito)}>
          Sign in
        </button>
      </main>
    );
  }
  return (
    <main id="main" class="signin">
      <h1>presence-ha console</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          props.onToken(token.trim());
        }}
      >
        <div class="field">
          <label for="token">Token</label>
          <input
            id="token"
            type="password"
            autocomplete="off"
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
            aria-describedby="token-hint"
            required
          />
          <small id="token-hint" class="hint">
            The admin token (acts) or the read token (looks only), as printed when presence-ha started.
          </small>
        </div>
        {props.error ? (
          <p role="alert" class="error">
            {props.error}
          </p>
        ) : null}
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}

function App(props: { config: ConsoleConfig }) {
  const route = useRoute();
  const [role, setRole] = useState<Role | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(Boolean(session.token));

  const signIn = (token: string) => {
    session.set(token);
    setChecking(true);
    probeRole().then(
      (r) => {
        setRole(r);
        setError(null);
        setChecking(false);
        startLive(props.config.live);
      },
      (e: unknown) => {
        session.clear();
        setChecking(false);
        setError(describeError(e));
      },
    );
  };
  useEffect(() => {
    if (session.token) signIn(session.token);
    return stopLiveUpdates;
  }, []);
  useEffect(() => {
    document.title = `${TITLES[route.page]}${'name' in route ? ` ${route.name}` : ''} · presence-ha`;
  }, [route]);

  if (checking) return <p aria-busy="true">Signing in…</p>;
  if (!role) return <SignIn config={props.config} onToken={signIn} error={error} />;
  const signOut = () => {
    session.clear();
    stopLiveUpdates();
    // On AWS the hosted UI keeps its own session: forgetting the tab's token alone would
    // let the next Sign in pass without a password, so end that session too.
    const cognito = props.config.auth === 'cognito' ? props.config.cognito : undefined;
    if (cognito) location.assign(hostedUiLogoutUrl(cognito));
    else setRole(null);
  };
  const link = (href: string, label: string, current: boolean) => (
    <a href={href} aria-current={current ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <RoleContext.Provider value={role}>
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header>
        <nav aria-label="Pages">
          <strong>presence-ha</strong>
          {link(
            '#/',
            'Overview',
            route.page === 'overview' || route.page === 'group' || route.page === 'history',
          )}
          {link('#/parameters', 'Parameters', route.page === 'parameters')}
          {link('#/users', 'Users', route.page === 'users')}
          {link('#/nodes', 'Nodes', route.page === 'nodes')}
        </nav>
        <div class="who">
          <span>{role === 'admin' ? 'Admin' : 'Read only'}</span>
          <button type="button" class="link" onClick={signOut}>
            Sign out
          </button>
        </div>
        <Freshness />
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === 'overview' ? <Overview /> : null}
        {route.page === 'group' ? <GroupPage name={route.name} /> : null}
        {route.page === 'history' ? <HistoryPage name={route.name} /> : null}
        {route.page === 'parameters' ? <ParametersPage /> : null}
        {route.page === 'users' ? <UsersPage /> : null}
        {route.page === 'nodes' ? <NodesPage /> : null}
      </main>
    </RoleContext.Provider>
  );
}

/** Reads the deployment's config, takes a token handed over in the fragment or by Cognito, and starts. */
async function boot(): Promise<void> {
  const root = document.getElementById('app') as HTMLElement;
  let config: ConsoleConfig = { auth: 'token', live: 'sse' };
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    if (res.ok) config = (await res.json()) as ConsoleConfig;
  } catch {
    // No config: the embedded default's behaviour.
  }
  // `#token=…` (the start banner's link): kept in sessionStorage, then removed from the URL and history.
  const handed = /^#token=([^&]+)/.exec(location.hash)?.[1];
  if (handed) {
    session.set(decodeURIComponent(handed));
    history.replaceState(null, '', `${location.pathname}#/`);
  }
  const code = new URLSearchParams(location.search).get('code');
  if (code && config.cognito) {
    history.replaceState(null, '', `${location.pathname}#/`);
    try {
      session.set(await finishHostedUi(config.cognito, code));
    } catch (e) {
      root.textContent = describeError(e);
    }
  }
  render(<App config={config} />, root);
}

void boot();
