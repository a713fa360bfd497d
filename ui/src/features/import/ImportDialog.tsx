import { AlertTriangle, FileUp, FolderOpen, Info, X } from "lucide-react";
import { useEffect, useMemo, useRef, useState } from "react";
import { errorCode, errorMessage, useBackend } from "../../backend";
import type { ImportPreview, ImportProgress, ImportReport, ImportTarget, LeadField, LeadList } from "../../generated/bindings";
import { formatBytes, formatCount, plural } from "../../lib/format";
import { useEscapeLayer } from "../shell/escape";

export const FIELD_LABELS: Record<LeadField, string> = {
  name: "Full name",
  firstName: "First name",
  lastName: "Last name",
  email: "Email",
  phone: "Phone",
  company: "Company",
  position: "Position / title",
  status: "Status",
  value: "Deal value",
  source: "Source",
  notes: "Notes",
};
const FIELD_ORDER: LeadField[] = ["name", "firstName", "lastName", "phone", "email", "company", "position", "status", "value", "source", "notes"];

type Phase = "edit" | "running" | "done";
type TargetKind = ImportTarget["kind"];

/** "C:\\x\\Expo leads.csv" or "/home/a/expo-leads.csv" → "Expo leads" / "expo-leads". */
export function baseName(path: string): string {
  const file = path.split(/[\\/]/).pop() ?? path;
  const dot = file.lastIndexOf(".");
  return dot > 0 ? file.slice(0, dot) : file;
}

type Props = {
  lists: LeadList[];
  onClose: () => void;
  /** Called once an import finished (leads and lists changed). */
  onImported: (report: ImportReport) => void;
};

export function ImportDialog({ lists, onClose, onImported }: Props) {
  const backend = useBackend();
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [mapping, setMapping] = useState<(LeadField | null)[]>([]);
  const [targetKind, setTargetKind] = useState<TargetKind>("none");
  const [newListName, setNewListName] = useState("");
  const [existingListId, setExistingListId] = useState<string>("");
  const [phase, setPhase] = useState<Phase>("edit");
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const chooseRef = useRef<HTMLButtonElement>(null);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    chooseRef.current?.focus();
    return () => {
      mounted.current = false;
    };
  }, []);

  useEscapeLayer(phase !== "running", onClose);

  useEffect(() => {
    if (!existingListId && lists.length > 0) setExistingListId(lists[0].id);
  }, [lists, existingListId]);

  // The file is chosen in the shell's native dialog, never typed: a path the window made up is
  // refused by the shell (only a file chosen there can be imported).
  const choose = async () => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const result = await backend.chooseImportFile();
      if (!result || !mounted.current) return;
      setPreview(result);
      setMapping(result.mapping);
      setNewListName(baseName(result.path));
    } catch (err) {
      if (!mounted.current) return;
      setPreview(null);
      setError(errorMessage(err));
    } finally {
      if (mounted.current) setBusy(false);
    }
  };

  const problems = useMemo(() => {
    const list: string[] = [];
    if (!preview) return list;
    if (!mapping.includes("phone") && !mapping.includes("email")) {
      list.push("Map a column to Phone or Email: every lead needs at least one of them.");
    }
    const seen = new Set<LeadField>();
    for (const f of mapping) {
      if (f === null) continue;
      if (seen.has(f)) list.push(`"${FIELD_LABELS[f]}" is chosen for more than one column.`);
      seen.add(f);
    }
    if (targetKind === "newList" && newListName.trim() === "") list.push("Give the new list a name.");
    if (targetKind === "existingList" && !existingListId) list.push("Choose a list.");
    return [...new Set(list)];
  }, [preview, mapping, targetKind, newListName, existingListId]);

  const start = async () => {
    if (!preview || problems.length > 0) return;
    const target: ImportTarget =
      targetKind === "newList"
        ? { kind: "newList", name: newListName.trim() }
        : targetKind === "existingList"
          ? { kind: "existingList", listId: existingListId }
          : { kind: "none" };
    setError(null);
    setNotice(null);
    setCancelling(false);
    setProgress({ bytesRead: 0, totalBytes: preview.fileSize, rowsRead: 0 });
    setPhase("running");
    let unsubscribe: (() => void) | null = null;
    try {
      unsubscribe = await backend.onImportProgress((p) => mounted.current && setProgress(p));
      const result = await backend.importLeads({ path: preview.path, mapping, target });
      if (!mounted.current) return;
      setReport(result);
      setPhase("done");
      onImported(result);
    } catch (err) {
      if (!mounted.current) return;
      if (errorCode(err) === "cancelled") setNotice("Import cancelled: nothing was imported.");
      else setError(errorMessage(err));
      setPhase("edit");
    } finally {
      unsubscribe?.();
    }
  };

  const cancel = async () => {
    setCancelling(true);
    try {
      await backend.cancelImport();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const pct = progress && progress.totalBytes > 0 ? Math.min(100, Math.round((progress.bytesRead / progress.totalBytes) * 100)) : 0;
  const targetListName =
    report?.listId != null ? lists.find((l) => l.id === report.listId)?.name ?? (targetKind === "newList" ? newListName.trim() : null) : null;

  return (
    <div className="modal-backdrop">
      <div className="modal modal-wide" role="dialog" aria-modal="true" aria-labelledby="import-title" data-testid="import-dialog">
        <header className="modal-header">
          <h2 id="import-title">
            <FileUp size={18} aria-hidden /> Import leads from CSV
          </h2>
          {phase !== "running" && (
            <button type="button" className="icon-button" aria-label="Close import" onClick={onClose}>
              <X size={18} aria-hidden />
            </button>
          )}
        </header>

        <div className="modal-body">
          {error && (
            <div className="error-box" role="alert" data-testid="import-error">
              <AlertTriangle size={16} aria-hidden />
              <div>{error}</div>
            </div>
          )}
          {notice && (
            <div className="notice-box" role="status" data-testid="import-notice">
              <Info size={16} aria-hidden />
              <div>{notice}</div>
            </div>
          )}

          {phase === "edit" && (
            <>
              <div className="file-row">
                <span className="file-label">CSV file</span>
                <div className="file-inputs">
                  <span className="file-chosen" data-testid="import-file">
                    {preview ? preview.path : <span className="muted">No file chosen</span>}
                  </span>
                  <button type="button" ref={chooseRef} className="button" data-testid="import-choose" onClick={() => void choose()} disabled={busy}>
                    <FolderOpen size={15} aria-hidden /> {busy ? "Reading…" : preview ? "Choose another file…" : "Choose file…"}
                  </button>
                </div>
              </div>

              {preview && (
                <>
                  <h3 className="section-title">
                    Columns in {baseName(preview.path)} <span className="muted">({formatBytes(preview.fileSize)})</span>
                  </h3>
                  <div className="mapping-scroll">
                    <table className="mapping-table">
                      <thead>
                        <tr>
                          <th>CSV column</th>
                          <th>Import as</th>
                          <th>First rows</th>
                        </tr>
                      </thead>
                      <tbody>
                        {preview.headers.map((header, i) => (
                          <tr key={i}>
                            <td className="mapping-header">{header || <em className="muted">(no name)</em>}</td>
                            <td>
                              <select
                                data-testid={`import-mapping-${i}`}
                                aria-label={`Import column "${header}" as`}
                                value={mapping[i] ?? ""}
                                onChange={(e) => {
                                  const value = e.target.value === "" ? null : (e.target.value as LeadField);
                                  setMapping((m) => m.map((f, j) => (j === i ? value : f)));
                                }}
                              >
                                <option value="">Ignore</option>
                                {FIELD_ORDER.map((f) => (
                                  <option key={f} value={f}>
                                    {FIELD_LABELS[f]}
                                  </option>
                                ))}
                              </select>
                            </td>
                            <td>
                              <div className="samples">
                                {preview.sampleRows.slice(0, 3).map((row, r) =>
                                  (row[i] ?? "").trim() === "" ? (
                                    <span key={r} className="sample empty" aria-label="empty">
                                      —
                                    </span>
                                  ) : (
                                    <span key={r} className="sample" title={row[i]}>
                                      {row[i]}
                                    </span>
                                  ),
                                )}
                              </div>
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>

                  <fieldset className="target">
                    <legend>Add the imported leads to</legend>
                    <label>
                      <input
                        type="radio"
                        name="import-target"
                        data-testid="import-target-none"
                        checked={targetKind === "none"}
                        onChange={() => setTargetKind("none")}
                      />
                      No list
                    </label>
                    <label>
                      <input
                        type="radio"
                        name="import-target"
                        data-testid="import-target-new"
                        checked={targetKind === "newList"}
                        onChange={() => setTargetKind("newList")}
                      />
                      New list
                      <input
                        className="inline-input"
                        data-testid="import-new-list-name"
                        aria-label="New list name"
                        value={newListName}
                        onFocus={() => setTargetKind("newList")}
                        onChange={(e) => setNewListName(e.target.value)}
                      />
                    </label>
                    <label className={lists.length === 0 ? "disabled" : undefined}>
                      <input
                        type="radio"
                        name="import-target"
                        data-testid="import-target-existing"
                        disabled={lists.length === 0}
                        checked={targetKind === "existingList"}
                        onChange={() => setTargetKind("existingList")}
                      />
                      Existing list
                      <select
                        aria-label="Existing list"
                        data-testid="import-existing-list"
                        disabled={lists.length === 0}
                        value={existingListId}
                        onFocus={() => setTargetKind("existingList")}
                        onChange={(e) => {
                          setExistingListId(e.target.value);
                          setTargetKind("existingList");
                        }}
                      >
                        {lists.length === 0 && <option value="">No lists yet</option>}
                        {lists.map((l) => (
                          <option key={l.id} value={l.id}>
                            {l.name} ({formatCount(l.memberCount)})
                          </option>
                        ))}
                      </select>
                    </label>
                  </fieldset>

                  {problems.length > 0 && (
                    <ul className="problems" aria-live="polite">
                      {problems.map((p) => (
                        <li key={p}>{p}</li>
                      ))}
                    </ul>
                  )}
                  <p className="muted small">
                    Rows whose phone or email matches an existing lead are merged into it (empty fields are filled in; existing
                    values are kept). Nothing is saved unless the import completes.
                  </p>
                </>
              )}
            </>
          )}

          {phase === "running" && progress && (
            <div className="import-running">
              <p>
                Importing <strong>{preview ? baseName(preview.path) : ""}</strong>…
              </p>
              <div
                className="progress"
                role="progressbar"
                aria-label="Import progress"
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={pct}
                data-testid="import-progress"
              >
                <div className="progress-bar" style={{ width: `${pct}%` }} />
              </div>
              <p className="muted" aria-live="polite">
                {plural(progress.rowsRead, "row")} read · {formatBytes(progress.bytesRead)} of {formatBytes(progress.totalBytes)} ({pct}%)
              </p>
            </div>
          )}

          {phase === "done" && report && (
            <div className="import-report" data-testid="import-report">
              <div className="stats">
                <div className="stat good">
                  <span className="stat-number" data-testid="import-created">
                    {report.created}
                  </span>
                  <span className="stat-label">created</span>
                </div>
                <div className="stat">
                  <span className="stat-number" data-testid="import-merged">
                    {report.merged}
                  </span>
                  <span className="stat-label">merged into existing leads</span>
                </div>
                <div className={`stat${report.invalidTotal > 0 ? " bad" : ""}`}>
                  <span className="stat-number" data-testid="import-invalid-count">
                    {report.invalidTotal}
                  </span>
                  <span className="stat-label">invalid rows skipped</span>
                </div>
              </div>
              {targetListName && <p>Imported leads were added to the list “{targetListName}”.</p>}
              {report.invalid.length > 0 && (
                <>
                  <h3 className="section-title">Invalid rows</h3>
                  <div className="invalid-scroll">
                    <table className="invalid-table">
                      <thead>
                        <tr>
                          <th>Line</th>
                          <th>Problem</th>
                        </tr>
                      </thead>
                      <tbody>
                        {report.invalid.map((row, i) => (
                          <tr key={i} data-testid="import-invalid-row">
                            <td className="num">{row.line}</td>
                            <td>{row.reason}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                  {report.invalidTotal > report.invalid.length && (
                    <p className="muted small">
                      Showing the first {formatCount(report.invalid.length)} of {formatCount(report.invalidTotal)} invalid rows.
                    </p>
                  )}
                </>
              )}
            </div>
          )}
        </div>

        <footer className="modal-footer">
          {phase === "edit" && (
            <>
              <button type="button" className="button" data-testid="import-close" onClick={onClose}>
                Close
              </button>
              <button
                type="button"
                className="button primary"
                data-testid="import-start"
                disabled={!preview || problems.length > 0 || busy}
                onClick={() => void start()}
              >
                Import {preview ? baseName(preview.path) : ""}…
              </button>
            </>
          )}
          {phase === "running" && (
            <button type="button" className="button danger" data-testid="import-cancel" disabled={cancelling} onClick={() => void cancel()}>
              {cancelling ? "Cancelling…" : "Cancel import"}
            </button>
          )}
          {phase === "done" && (
            <button type="button" className="button primary" data-testid="import-close" onClick={onClose}>
              Close
            </button>
          )}
        </footer>
      </div>
    </div>
  );
}
