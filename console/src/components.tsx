/** The console's small shared pieces: state badges, the confirmation dialog, field errors. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { NodeStateCode, ReasonCode } from '../../lambdas/core/catalogue';
import { ICONS, reasonText, stateText, toneOf } from './tone';

/** A state with its colour, its icon and its words (never colour alone), and the reason beside it. */
export function StateBadge(props: { state: NodeStateCode | null; reason?: ReasonCode | null }) {
  const tone = toneOf(props.state);
  const icon = ICONS[tone];
  return (
    <span class={`badge tone-${tone}`}>
      <span aria-hidden="true" class="glyph">
        {icon.glyph}
      </span>
      <span class="visually-hidden">({icon.words}) </span>
      <span class="state">{stateText(props.state)}</span>
      {props.reason ? <span class="reason"> ({reasonText(props.reason)})</span> : null}
    </span>
  );
}

/**
 * A warning about a node that is not its state: a legacy token, an old agent. Icon and
 * words as in {@link StateBadge}, the consequence in its title, and what to do beside it
 * in the page's own words, so that it is read without hovering.
 */
export function Flag(props: { label: string; consequence: string; testId?: string }) {
  const icon = ICONS.warn;
  return (
    <span class="badge tone-warn flag" title={props.consequence} data-testid={props.testId}>
      <span aria-hidden="true" class="glyph">
        {icon.glyph}
      </span>
      <span class="visually-hidden">({icon.words}) </span>
      <span class="state">{props.label}</span>
    </span>
  );
}

/** Text with `code` spans for the catalogue's backticked commands. */
export function Prose(props: { text: string }) {
  const parts = props.text.split('`');
  return <>{parts.map((p, i) => (i % 2 === 1 ? <code key={i}>{p}</code> : p))}</>;
}

/**
 * A modal confirmation: focus moves into it, Escape cancels, Tab stays inside, and focus
 * returns to what opened it. Only its confirm button acts.
 */
export function Dialog(props: {
  title: string;
  confirm: string;
  busy?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    ref.current?.querySelector<HTMLElement>('button.cancel')?.focus();
    return () => opener?.focus();
  }, []);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') props.onCancel();
    if (e.key !== 'Tab' || !ref.current) return;
    const focusable = [...ref.current.querySelectorAll<HTMLElement>('button:not([disabled])')];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last?.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first?.focus();
    }
  };
  return (
    <div class="backdrop">
      <div
        ref={ref}
        role="dialog"
        aria-modal="true"
        aria-labelledby="dialog-title"
        aria-describedby="dialog-body"
        class="dialog"
        onKeyDown={onKeyDown}
      >
        <h2 id="dialog-title">{props.title}</h2>
        <div id="dialog-body">{props.children}</div>
        {props.error ? (
          <p role="alert" class="error">
            {props.error}
          </p>
        ) : null}
        <div class="buttons">
          <button type="button" class="cancel" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="button" class="danger" disabled={props.busy} onClick={props.onConfirm}>
            {props.confirm}
          </button>
        </div>
      </div>
    </div>
  );
}

/** A labelled form field whose API error (problem+json `errors[]`) is shown right under it. */
export function Field(props: {
  id: string;
  label: string;
  hint?: string;
  error?: string | undefined;
  children: (describedBy: string | undefined, invalid: boolean) => ComponentChildren;
}) {
  const ids = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children(ids || undefined, Boolean(props.error))}
      {props.hint ? (
        <small id={`${props.id}-hint`} class="hint">
          {props.hint}
        </small>
      ) : null}
      {props.error ? (
        <small id={`${props.id}-error`} class="field-error" role="alert">
          ✕ {props.error}
        </small>
      ) : null}
    </div>
  );
}

/** What a page shows while its first answer is on the way, or when it failed. */
export function Loading(props: { error: string | null }) {
  return props.error ? (
    <p role="alert" class="error">
      {props.error}
    </p>
  ) : (
    <p aria-busy="true">Loading…</p>
  );
}
