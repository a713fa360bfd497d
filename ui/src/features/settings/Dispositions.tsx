import { AlertCircle, ArrowDown, ArrowUp, Check, Loader2, Plus, RotateCcw, Trash2 } from "lucide-react";
import { useEffect, useId, useRef, useState } from "react";
import { errorMessage, useBackend } from "../../backend";
import type { DispositionOption } from "../../generated/bindings";
import { ConfirmDialog } from "../shell/ConfirmDialog";

/** Lead statuses offered as suggestions (any status is allowed). */
const STATUS_SUGGESTIONS = ["new", "contacted", "qualified", "callback", "bad_number", "do_not_call", "won", "lost"];

type Row = {
  /** React's key: stable while the row moves. */
  uid: number;
  label: string;
  key: string;
  status: string;
  /** The key was typed (or stored): it no longer follows the label. */
  keyEdited: boolean;
};

type SaveState = { kind: "idle" } | { kind: "saving" } | { kind: "saved" } | { kind: "error"; message: string };

/**
 * Settings → Dispositions: the outcomes the wrap-up step offers, in order (keys 1–9 pick the
 * first nine), each with the lead status it sets. Rows can be added, removed and moved; Save
 * sends the whole set (the backend validates it and says what is wrong); Reset restores the
 * defaults after a confirmation.
 */
export function DispositionsSection() {
  const backend = useBackend();
  const id = useId();
  const [rows, setRows] = useState<Row[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [state, setState] = useState<SaveState>({ kind: "idle" });
  const [confirmReset, setConfirmReset] = useState(false);
  const nextUid = useRef(1);
  const labelRefs = useRef(new Map<number, HTMLInputElement>());
  const focusUid = useRef<number | null>(null);
  const addRef = useRef<HTMLButtonElement>(null);

  const toRows = (options: DispositionOption[]): Row[] =>
    options.map((o) => ({ uid: nextUid.current++, label: o.label, key: o.key, status: o.leadStatus ?? "", keyEdited: true }));

  useEffect(() => {
    let stale = false;
    backend.dispositionOptions().then(
      (o) => !stale && setRows(toRows(o)),
      (err) => !stale && setLoadError(errorMessage(err)),
    );
    return () => {
      stale = true;
    };
  }, [backend]);

  // A row just added gets the focus.
  useEffect(() => {
    if (focusUid.current === null) return;
    labelRefs.current.get(focusUid.current)?.focus();
    focusUid.current = null;
  });

  const change = (next: Row[]) => {
    setRows(next);
    if (state.kind !== "saving") setState({ kind: "idle" });
  };

  const edit = (uid: number, patch: Partial<Row>) => {
    if (!rows) return;
    change(rows.map((r) => (r.uid === uid ? { ...r, ...patch } : r)));
    const label = patch.label;
    if (label === undefined || rows.find((r) => r.uid === uid)?.keyEdited !== false) return;
    // A new row's key follows its label, as the core derives it (answers may arrive out of
    // order: only the one for the label still there is kept).
    backend.dispositionKey(label).then(
      (key) => setRows((now) => now && now.map((r) => (r.uid === uid && r.label === label && !r.keyEdited ? { ...r, key } : r))),
      () => undefined,
    );
  };

  const move = (index: number, by: -1 | 1) => {
    if (!rows) return;
    const to = index + by;
    if (to < 0 || to >= rows.length) return;
    const next = [...rows];
    [next[index], next[to]] = [next[to], next[index]];
    change(next);
  };

  const remove = (index: number) => {
    if (!rows) return;
    const next = rows.filter((_, i) => i !== index);
    change(next);
    const neighbour = next[Math.min(index, next.length - 1)];
    if (neighbour) focusUid.current = neighbour.uid;
    else addRef.current?.focus();
  };

  const add = () => {
    if (!rows) return;
    const uid = nextUid.current++;
    focusUid.current = uid;
    change([...rows, { uid, label: "", key: "", status: "", keyEdited: false }]);
  };

  const save = async () => {
    if (!rows) return;
    setState({ kind: "saving" });
    try {
      const saved = await backend.setDispositionOptions(
        rows.map((r) => ({ key: r.key.trim(), label: r.label.trim(), leadStatus: r.status.trim() === "" ? null : r.status.trim() })),
      );
      setRows(toRows(saved));
      setState({ kind: "saved" });
    } catch (err) {
      setState({ kind: "error", message: errorMessage(err) });
    }
  };

  const reset = async () => {
    setState({ kind: "saving" });
    try {
      const defaults = await backend.setDispositionOptions([]);
      setRows(toRows(defaults));
      setState({ kind: "saved" });
    } catch (err) {
      setState({ kind: "error", message: errorMessage(err) });
    } finally {
      setConfirmReset(false);
    }
  };

  const busy = state.kind === "saving";

  return (
    <section className="settings-section dispositions" aria-label="Dispositions" data-testid="settings-dispositions">
      <h2>Dispositions</h2>
      <p className="muted small">
        The outcomes the wrap-up step after a call offers, in this order (keys 1–9 pick the first nine), and the lead status each one sets. A
        key is stored on every call: change it and past calls keep the old one.
      </p>
      {loadError && (
        <div className="error-box" role="alert">
          <AlertCircle size={16} aria-hidden /> Could not load the dispositions: {loadError}
        </div>
      )}
      {rows === null && !loadError && <p className="muted">Loading dispositions…</p>}
      {rows !== null && (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <datalist id={`${id}-statuses`}>
            {STATUS_SUGGESTIONS.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
          <div className="disposition-row header" aria-hidden>
            <span className="disposition-index">#</span>
            <span>Label</span>
            <span>Key</span>
            <span>Lead status</span>
            <span />
          </div>
          <ol className="disposition-list" aria-label="Disposition set">
            {rows.map((r, i) => {
              const n = i + 1;
              const name = r.label.trim() || `disposition ${n}`;
              return (
                <li key={r.uid} className="disposition-row" data-testid="disposition-row">
                  <span className="disposition-index muted">{n <= 9 ? <kbd>{n}</kbd> : n}</span>
                  <input
                    ref={(el) => {
                      if (el) labelRefs.current.set(r.uid, el);
                      else labelRefs.current.delete(r.uid);
                    }}
                    aria-label={`Label of disposition ${n}`}
                    data-testid="disposition-label"
                    value={r.label}
                    placeholder="e.g. Demo booked"
                    spellCheck={false}
                    autoComplete="off"
                    onChange={(e) => edit(r.uid, { label: e.target.value })}
                  />
                  <input
                    aria-label={`Key of disposition ${n}`}
                    data-testid="disposition-key"
                    value={r.key}
                    placeholder="demo_booked"
                    spellCheck={false}
                    autoComplete="off"
                    onChange={(e) => edit(r.uid, { key: e.target.value, keyEdited: true })}
                  />
                  <input
                    aria-label={`Lead status of disposition ${n}`}
                    data-testid="disposition-status"
                    list={`${id}-statuses`}
                    value={r.status}
                    placeholder="leave as is"
                    spellCheck={false}
                    autoComplete="off"
                    onChange={(e) => edit(r.uid, { status: e.target.value })}
                  />
                  <span className="disposition-actions">
                    <button type="button" className="icon-button" aria-label={`Move ${name} up`} title="Move up" disabled={i === 0} onClick={() => move(i, -1)}>
                      <ArrowUp size={14} aria-hidden />
                    </button>
                    <button
                      type="button"
                      className="icon-button"
                      aria-label={`Move ${name} down`}
                      title="Move down"
                      disabled={i === rows.length - 1}
                      onClick={() => move(i, 1)}
                    >
                      <ArrowDown size={14} aria-hidden />
                    </button>
                    <button type="button" className="icon-button" aria-label={`Remove ${name}`} title="Remove" onClick={() => remove(i)}>
                      <Trash2 size={14} aria-hidden />
                    </button>
                  </span>
                </li>
              );
            })}
          </ol>
          {rows.length === 0 && <p className="muted small">No dispositions: saving an empty set restores the defaults.</p>}
          <div className="section-actions">
            <button ref={addRef} type="button" className="button" data-testid="disposition-add" onClick={add}>
              <Plus size={14} aria-hidden /> Add disposition
            </button>
            <button type="submit" className="button primary" data-testid="settings-dispositions-save" disabled={busy}>
              Save
            </button>
            <button type="button" className="button" data-testid="settings-dispositions-reset" disabled={busy} onClick={() => setConfirmReset(true)}>
              <RotateCcw size={14} aria-hidden /> Reset to defaults
            </button>
            <span className="save-status" aria-live="polite">
              {state.kind === "saving" && <Loader2 size={14} className="spin" aria-label="Saving" />}
              {state.kind === "saved" && (
                <span className="saved" data-testid="settings-dispositions-saved">
                  <Check size={14} aria-hidden /> Saved
                </span>
              )}
            </span>
          </div>
          {state.kind === "error" && (
            <span className="field-error" role="alert" data-testid="settings-dispositions-error">
              <AlertCircle size={14} aria-hidden /> {state.message}
            </span>
          )}
        </form>
      )}
      {confirmReset && (
        <ConfirmDialog
          title="Reset the dispositions to the defaults?"
          confirmLabel="Reset"
          busy={busy}
          onConfirm={() => void reset()}
          onCancel={() => setConfirmReset(false)}
          testId="dispositions-reset-confirm"
        >
          <p>The nine default outcomes replace this set. Past calls keep their outcomes.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
