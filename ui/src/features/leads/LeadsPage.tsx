import { Download, FileUp, Search, UserPlus, X } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { errorMessage, useBackend } from "../../backend";
import type { ImportReport, Lead, LeadList, LeadSort, LeadSortField, LeadSummary } from "../../generated/bindings";
import { formatCount, plural } from "../../lib/format";
import { ImportDialog } from "../import/ImportDialog";
import { useEscapeLayer } from "../shell/escape";
import { useToast } from "../shell/Toast";
import { useDebounced } from "../shell/useDebounced";
import { CreateLeadDialog } from "./CreateLeadDialog";
import { LeadDetail } from "./LeadDetail";
import { LeadTable } from "./LeadTable";
import { useLeadPages } from "./useLeadPages";

export const SEARCH_DEBOUNCE_MS = 100;

/** Commands sent from App (keyboard shortcuts, other pages); `nonce` makes repeats distinct. */
export type LeadsCommand =
  | { kind: "focusSearch"; nonce: number }
  | { kind: "import"; nonce: number }
  | { kind: "export"; nonce: number }
  | { kind: "openLead"; leadId: string; nonce: number };

type Props = {
  active: boolean;
  command: LeadsCommand | null;
  /**
   * Changes when leads were created elsewhere (Messages) or pulled from the team backend: the
   * table, the lists and an open lead re-read.
   */
  dataVersion?: number;
  /** Leads were added or changed in bulk (import) or created here: refresh counts elsewhere. */
  onDataChanged: () => void;
  /** Text a lead's number (opens Messages). */
  onTextLead?: (e164: string) => void;
};

function toSummary(l: Lead): LeadSummary {
  const { id, name, company, email, phone, phoneE164, phoneDisplay, status, value, lastContact } = l;
  return { id, name, company, email, phone, phoneE164, phoneDisplay, status, value, lastContact };
}

function fileSlug(name: string): string {
  return name.trim().replace(/[\\/:*?"<>|]+/g, "-").replace(/\s+/g, " ") || "leads";
}

export function LeadsPage({ active, command, dataVersion = 0, onDataChanged, onTextLead }: Props) {
  const backend = useBackend();
  const toast = useToast();
  const [searchText, setSearchText] = useState("");
  const search = useDebounced(searchText, SEARCH_DEBOUNCE_MS);
  const [listId, setListId] = useState<string | null>(null);
  const [sort, setSort] = useState<LeadSort>({ field: "name", descending: false });
  const [lists, setLists] = useState<LeadList[]>([]);
  const [reloadToken, setReloadToken] = useState(0);
  const [activeIndex, setActiveIndex] = useState(-1);
  const [openLeadId, setOpenLeadId] = useState<string | null>(null);
  /** Bumps when the data changed underneath: an open lead re-reads (fields being edited keep their text). */
  const [detailRefresh, setDetailRefresh] = useState(0);
  const [importOpen, setImportOpen] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [creating, setCreating] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const importButtonRef = useRef<HTMLButtonElement>(null);

  const pages = useLeadPages(backend, search, listId, sort, reloadToken);

  const reloadLists = useCallback(() => {
    backend.listLists().then(setLists, (err) => toast(`Could not load lists: ${errorMessage(err)}`, "error"));
  }, [backend, toast]);
  useEffect(reloadLists, [reloadLists]);

  const seenVersion = useRef(dataVersion);
  useEffect(() => {
    if (seenVersion.current === dataVersion) return;
    seenVersion.current = dataVersion;
    setReloadToken((t) => t + 1);
    setDetailRefresh((t) => t + 1);
    reloadLists();
  }, [dataVersion, reloadLists]);

  // A new query starts with no row selected.
  useEffect(() => setActiveIndex(-1), [search, listId, sort]);

  useEscapeLayer(active && openLeadId !== null && !importOpen && !creating, () => setOpenLeadId(null));

  const runExport = useCallback(async () => {
    if (exporting) return;
    const listName = lists.find((l) => l.id === listId)?.name;
    setExporting(true);
    try {
      const report = await backend.exportLeads(`${fileSlug(listName ?? "leads")}.csv`, listId);
      if (!report) return;
      toast(`Exported ${plural(report.rows, "lead")} to ${report.path}`);
    } catch (err) {
      toast(`Export failed: ${errorMessage(err)}`, "error");
    } finally {
      setExporting(false);
    }
  }, [backend, exporting, listId, lists, toast]);

  // Commands from App (shortcuts, the dialer's "open lead").
  const handled = useRef<number | null>(null);
  useEffect(() => {
    if (!command || !active || handled.current === command.nonce) return;
    handled.current = command.nonce;
    switch (command.kind) {
      case "focusSearch":
        searchRef.current?.focus();
        searchRef.current?.select();
        break;
      case "import":
        setImportOpen(true);
        break;
      case "export":
        void runExport();
        break;
      case "openLead":
        setOpenLeadId(command.leadId);
        break;
    }
  }, [command, active, runExport]);

  const onSort = (field: LeadSortField) =>
    setSort((s) => (s.field === field ? { field, descending: !s.descending } : { field, descending: false }));

  const onImported = (report: ImportReport) => {
    reloadLists();
    setReloadToken((t) => t + 1);
    onDataChanged();
    toast(`Imported ${plural(report.created, "new lead")}, merged ${formatCount(report.merged)}`);
  };

  const onCreated = (lead: Lead) => {
    setCreating(false);
    setReloadToken((t) => t + 1);
    onDataChanged();
    setOpenLeadId(lead.id);
    toast(`Lead “${lead.name}” created.`);
  };

  const closeImport = () => {
    setImportOpen(false);
    importButtonRef.current?.focus();
  };

  const total = pages.total;
  const filtered = search.trim() !== "" || listId !== null;
  const showEmpty = total === 0 && !filtered;

  return (
    <div className="page leads-page">
      <div className="toolbar">
        <div className="search-box">
          <Search size={15} aria-hidden className="search-icon" />
          <input
            ref={searchRef}
            type="search"
            data-testid="lead-search"
            aria-label="Search leads"
            placeholder="Search name, company, email, phone  (Ctrl+K)"
            value={searchText}
            onChange={(e) => setSearchText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape" && searchText !== "") {
                e.stopPropagation();
                setSearchText("");
              }
            }}
          />
          {searchText && (
            <button type="button" className="icon-button clear" aria-label="Clear search" onClick={() => setSearchText("")}>
              <X size={14} aria-hidden />
            </button>
          )}
        </div>
        <select
          data-testid="lead-list-filter"
          aria-label="Filter by list"
          value={listId ?? ""}
          onChange={(e) => setListId(e.target.value === "" ? null : e.target.value)}
        >
          <option value="">All leads</option>
          {lists.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name} ({formatCount(l.memberCount)})
            </option>
          ))}
        </select>
        <span className="toolbar-count muted" aria-live="polite">
          {total === null ? "" : filtered ? `${plural(total, "match", "matches")}` : plural(total, "lead")}
        </span>
        <div className="toolbar-spacer" />
        <button type="button" className="button" data-testid="new-lead-button" onClick={() => setCreating(true)}>
          <UserPlus size={15} aria-hidden /> New lead
        </button>
        <button ref={importButtonRef} type="button" className="button" data-testid="import-button" title="Import CSV (Ctrl+I)" onClick={() => setImportOpen(true)}>
          <FileUp size={15} aria-hidden /> Import
        </button>
        <button type="button" className="button" data-testid="export-button" title="Export CSV (Ctrl+E)" onClick={() => void runExport()} disabled={exporting}>
          <Download size={15} aria-hidden /> Export
        </button>
      </div>

      {pages.error && (
        <div className="error-box inline" role="alert">
          Could not load leads: {pages.error}
        </div>
      )}

      <div className="leads-content">
        <div className="table-area">
          {showEmpty ? (
            <div className="empty-state" data-testid="lead-empty">
              <FileUp size={40} aria-hidden />
              <h2>No leads yet</h2>
              <p>Import a CSV export from your CRM or spreadsheet to start calling, or add a lead by hand.</p>
              <div className="empty-state-actions">
                <button type="button" className="button primary" onClick={() => setImportOpen(true)}>
                  Import CSV
                </button>
                <button type="button" className="button" onClick={() => setCreating(true)}>
                  <UserPlus size={15} aria-hidden /> New lead
                </button>
              </div>
            </div>
          ) : (
            <>
              <LeadTable
                pages={pages}
                sort={sort}
                onSort={onSort}
                activeIndex={activeIndex}
                onActiveIndexChange={setActiveIndex}
                onOpen={(row) => setOpenLeadId(row.id)}
                openLeadId={openLeadId}
              />
              {total === 0 && filtered && (
                <div className="no-matches muted" data-testid="lead-no-matches">
                  No leads match{search.trim() ? ` “${search.trim()}”` : ""}
                  {listId ? " in this list" : ""}.
                </div>
              )}
            </>
          )}
        </div>
        {openLeadId !== null && (
          <LeadDetail
            leadId={openLeadId}
            refreshKey={detailRefresh}
            lists={lists}
            onClose={() => setOpenLeadId(null)}
            onSaved={(lead) => pages.updateRow(toSummary(lead))}
            onText={onTextLead}
          />
        )}
      </div>

      {importOpen && <ImportDialog lists={lists} onClose={closeImport} onImported={onImported} />}
      {creating && <CreateLeadDialog onClose={() => setCreating(false)} onCreated={onCreated} />}
    </div>
  );
}
