import { useDispositionOptions } from "../calls/useDispositionOptions";
import {
  AlertCircle,
  Download,
  FileAudio,
  History as HistoryIcon,
  Loader2,
  Phone,
  PhoneIncoming,
  PhoneMissed,
  PhoneOutgoing,
  Search,
  X,
} from "lucide-react";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { errorMessage, useBackend } from "../../backend";
import type { CallHistoryItem, CallRoute, DispositionOption, HistoryFilter } from "../../generated/bindings";
import { useFixedRows } from "../../lib/fixedRows";
import { formatDateTime, plural } from "../../lib/format";
import { dayStart, dispositionLabel, formatDuration } from "../calls/callText";
import { ROW_HEIGHT } from "../leads/LeadTable";
import { useDialAction } from "../phone/CallButton";
import type { CallLead } from "../phone/usePhone";
import { useToast } from "../shell/Toast";
import { useDebounced } from "../shell/useDebounced";

/** Calls per page ("Load more" asks for the next one, keyset-paged). */
export const HISTORY_PAGE_SIZE = 50;
/** The free-text search waits this long after the last key before it asks the backend. */
export const HISTORY_SEARCH_DEBOUNCE_MS = 250;

type Filters = {
  from: string;
  to: string;
  disposition: string;
  leadStatus: string;
  direction: "" | "inbound" | "outbound";
  route: "" | CallRoute;
  missed: boolean;
  text: string;
};
const NO_FILTERS: Filters = { from: "", to: "", disposition: "", leadStatus: "", direction: "", route: "", missed: false, text: "" };

/** Lead statuses the filter always offers (those the disposition set leads to join them). */
const LEAD_STATUSES = ["new", "contacted", "qualified", "callback", "bad_number", "do_not_call", "won", "lost"];

/** The statuses a lead-status filter offers: the usual ones, then those the disposition set leads to. */
export function leadStatuses(options: DispositionOption[]): string[] {
  const all = [...LEAD_STATUSES];
  for (const o of options) if (o.leadStatus && !all.includes(o.leadStatus)) all.push(o.leadStatus);
  return all;
}

export function statusLabel(status: string): string {
  const words = status.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The backend's filter for these filters (no paging), what the list and the export both use. */
export function historyFilter(f: Filters): Omit<HistoryFilter, "limit" | "beforeStartedAt" | "beforeId"> {
  const text = f.text.trim();
  return {
    from: dayStart(f.from),
    to: dayStart(f.to, 1),
    disposition: f.disposition === "" ? null : f.disposition,
    leadId: null,
    leadStatus: f.leadStatus === "" ? null : f.leadStatus,
    direction: f.direction === "" ? null : f.direction,
    route: f.route === "" ? null : f.route,
    missed: f.missed,
    text: text === "" ? null : text,
  };
}

type Props = {
  active: boolean;
  /** Bumps when calls were wrapped up or the team backend pulled rows: the list re-reads. */
  dataVersion: number;
  onOpenLead: (leadId: string) => void;
};

/** The row's lead as a call shows it (its status is unknown here: placeCall checks Do Not Call). */
function callLead(row: CallHistoryItem): CallLead | null {
  return row.leadId !== null ? { leadId: row.leadId, name: row.leadName ?? row.contactDisplay, company: row.leadCompany, status: null } : null;
}

/**
 * The call history, newest first: a virtual list (only visible rows are in the DOM, like the
 * lead table) filtered by date range, outcome, lead status, direction, route, missed calls and
 * free text (debounced), paged by the last row's (startedAt, id). A row with a lead opens it
 * (click, or Enter on the selected row; arrows move the selection); its phone button calls the
 * number at once (Settings' default route; a Do Not Call lead asks for "Call anyway" first; no
 * button without a phone). Export CSV writes every call the filters select, not just the loaded pages.
 */
export function HistoryPage({ active, dataVersion, onOpenLead }: Props) {
  const backend = useBackend();
  const toast = useToast();
  const dialer = useDialAction();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const debouncedText = useDebounced(filters.text, HISTORY_SEARCH_DEBOUNCE_MS);
  const applied = useMemo(() => historyFilter({ ...filters, text: debouncedText }), [filters, debouncedText]);
  const [exporting, setExporting] = useState(false);
  const options = useDispositionOptions(active);
  const [rows, setRows] = useState<CallHistoryItem[] | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [activeIndex, setActiveIndex] = useState(-1);
  const generation = useRef(0);
  const loadedFor = useRef<string | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const headerRef = useRef<HTMLDivElement>(null);

  const fetchPage = useCallback(
    async (after: CallHistoryItem | null) => {
      const gen = after === null ? ++generation.current : generation.current;
      setLoading(true);
      try {
        const page = await backend.callHistory({
          ...applied,
          limit: HISTORY_PAGE_SIZE,
          beforeStartedAt: after?.startedAt ?? null,
          beforeId: after?.id ?? null,
        });
        if (gen !== generation.current) return; // the filters changed meanwhile
        setRows((known) => (after === null ? page : [...(known ?? []), ...page]));
        setHasMore(page.length === HISTORY_PAGE_SIZE);
        setError(null);
      } catch (err) {
        if (gen === generation.current) setError(errorMessage(err));
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [backend, applied],
  );

  // The first page: when the filters change, and when data changed (also while the page was hidden).
  const filterKey = JSON.stringify(applied);
  useEffect(() => {
    if (!active) return;
    const key = `${filterKey}|${dataVersion}`;
    if (loadedFor.current === key) return;
    loadedFor.current = key;
    setActiveIndex(-1);
    void fetchPage(null);
  }, [active, filterKey, dataVersion, fetchPage]);

  const loadMore = () => {
    if (loading || !rows || rows.length === 0) return;
    void fetchPage(rows[rows.length - 1]);
  };

  const count = rows?.length ?? 0;
  const { first, last, totalSize, scrollToIndex } = useFixedRows(scrollRef, count, ROW_HEIGHT, 12);
  const items = Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);

  // Keep header columns aligned with the body when it shows a vertical scrollbar.
  useLayoutEffect(() => {
    const body = scrollRef.current;
    const header = headerRef.current;
    if (body && header) header.style.paddingRight = `${Math.max(0, body.offsetWidth - body.clientWidth)}px`;
  });

  const open = (row: CallHistoryItem | undefined) => {
    if (row?.leadId) onOpenLead(row.leadId);
  };

  const move = (index: number) => {
    if (count === 0) return;
    const next = Math.max(0, Math.min(count - 1, index));
    setActiveIndex(next);
    scrollToIndex(next);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
    switch (e.key) {
      case "ArrowDown": move(activeIndex + 1); break;
      case "ArrowUp": move(activeIndex < 0 ? 0 : activeIndex - 1); break;
      case "PageDown": move(activeIndex + pageRows); break;
      case "PageUp": move(activeIndex - pageRows); break;
      case "Home": move(0); break;
      case "End": move(count - 1); break;
      case "Enter": open(rows?.[activeIndex]); break;
      default:
        return;
    }
    e.preventDefault();
  };

  const setFilter = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const filtered = filterKey !== JSON.stringify(historyFilter(NO_FILTERS));
  const statuses = useMemo(() => leadStatuses(options), [options]);

  const exportCsv = async () => {
    if (exporting) return;
    setExporting(true);
    try {
      // Every page: the export ignores the paging fields.
      const report = await backend.exportCallHistory("call-history.csv", { ...applied, limit: HISTORY_PAGE_SIZE, beforeStartedAt: null, beforeId: null });
      if (report === null) return;
      toast(`Exported ${plural(report.rows, "call")} to ${report.path}.`);
    } catch (err) {
      toast(`Could not export the history: ${errorMessage(err)}`, "error");
    } finally {
      setExporting(false);
    }
  };
  return (
    <div className="page history-page">
      <div className="toolbar history-toolbar">
        <h1 className="page-title toolbar-title">History</h1>
        <div className="search-box history-search">
          <Search size={15} aria-hidden className="search-icon" />
          <input
            type="search"
            data-testid="history-filter-text"
            aria-label="Search calls"
            placeholder="Search name, company, notes, number"
            value={filters.text}
            onChange={(e) => setFilter({ text: e.target.value })}
            onKeyDown={(e) => {
              if (e.key === "Escape" && filters.text !== "") {
                e.stopPropagation();
                setFilter({ text: "" });
              }
            }}
          />
          {filters.text && (
            <button type="button" className="icon-button clear" aria-label="Clear search" onClick={() => setFilter({ text: "" })}>
              <X size={14} aria-hidden />
            </button>
          )}
        </div>
        <button
          type="button"
          className={`button small history-missed-toggle${filters.missed ? " active" : ""}`}
          data-testid="history-filter-missed"
          aria-pressed={filters.missed}
          title="Only inbound calls nobody answered"
          onClick={() => setFilter({ missed: !filters.missed })}
        >
          <PhoneMissed size={13} aria-hidden /> Missed
        </button>
        <label className="toolbar-field">
          <span className="muted small">From</span>
          <input type="date" data-testid="history-from" aria-label="From date" value={filters.from} max={filters.to || undefined} onChange={(e) => setFilter({ from: e.target.value })} />
        </label>
        <label className="toolbar-field">
          <span className="muted small">To</span>
          <input type="date" data-testid="history-to" aria-label="To date" value={filters.to} min={filters.from || undefined} onChange={(e) => setFilter({ to: e.target.value })} />
        </label>
        <select data-testid="history-disposition" aria-label="Filter by disposition" value={filters.disposition} onChange={(e) => setFilter({ disposition: e.target.value })}>
          <option value="">All outcomes</option>
          {options.map((o) => (
            <option key={o.key} value={o.key}>
              {o.label}
            </option>
          ))}
        </select>
        <select data-testid="history-filter-status" aria-label="Filter by lead status" value={filters.leadStatus} onChange={(e) => setFilter({ leadStatus: e.target.value })}>
          <option value="">All lead statuses</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
        <select
          data-testid="history-filter-direction"
          aria-label="Filter by direction"
          value={filters.direction}
          onChange={(e) => setFilter({ direction: e.target.value as Filters["direction"] })}
        >
          <option value="">In and out</option>
          <option value="inbound">Inbound</option>
          <option value="outbound">Outbound</option>
        </select>
        <select data-testid="history-filter-route" aria-label="Filter by route" value={filters.route} onChange={(e) => setFilter({ route: e.target.value as Filters["route"] })}>
          <option value="">All routes</option>
          <option value="softphone">Softphone</option>
          <option value="bridge">Bridge (your phone)</option>
        </select>
        {filtered && (
          <button type="button" className="button small" data-testid="history-clear-filters" onClick={() => setFilters(NO_FILTERS)}>
            <X size={13} aria-hidden /> Clear filters
          </button>
        )}
        <div className="toolbar-spacer" />
        <span className="toolbar-count muted" aria-live="polite" data-testid="history-count">
          {rows === null ? "" : `${plural(count, "call")}${hasMore ? " so far" : ""}`}
        </span>
        <button
          type="button"
          className="button small"
          data-testid="history-export"
          disabled={exporting}
          title="Export every call these filters select to a CSV file"
          onClick={() => void exportCsv()}
        >
          {exporting ? <Loader2 size={13} className="spin" aria-hidden /> : <Download size={13} aria-hidden />} Export CSV
        </button>
      </div>

      {error && (
        <div className="error-box inline" role="alert">
          <AlertCircle size={16} aria-hidden /> Could not load the history: {error}
        </div>
      )}

      {rows !== null && rows.length === 0 && !filtered ? (
        <div className="empty-state" data-testid="history-empty">
          <HistoryIcon size={40} aria-hidden />
          <h2>No calls yet</h2>
          <p>Calls you make or take appear here, with their outcome and notes.</p>
        </div>
      ) : (
        <div className="table-area">
          <div className="lead-table history-table" role="grid" aria-label="Call history" aria-rowcount={count + 1} data-testid="history-table">
            <div className="lead-row history-row header" role="row" ref={headerRef}>
              <div role="columnheader" className="cell col-direction">
                <span className="sr-only">Direction</span>
              </div>
              <div role="columnheader" className="cell">Lead</div>
              <div role="columnheader" className="cell">Number</div>
              <div role="columnheader" className="cell">Date</div>
              <div role="columnheader" className="cell num">Duration</div>
              <div role="columnheader" className="cell">Outcome</div>
              <div role="columnheader" className="cell">Notes</div>
              <div role="columnheader" className="cell col-recording">
                <span className="sr-only">Recording</span>
              </div>
            </div>
            <div
              className="lead-table-body"
              ref={scrollRef}
              data-virtual-scroll
              tabIndex={0}
              role="rowgroup"
              aria-activedescendant={activeIndex >= first && activeIndex <= last && activeIndex >= 0 ? `history-row-${activeIndex}` : undefined}
              onKeyDown={onKeyDown}
            >
              <div className="lead-table-sizer" style={{ height: totalSize }}>
                {items.map((index) => {
                  const row = rows?.[index];
                  if (!row) return null;
                  const classes = ["lead-row", "history-row"];
                  if (index === activeIndex) classes.push("active");
                  if (index % 2 === 1) classes.push("odd");
                  if (row.leadId) classes.push("has-lead");
                  if (row.missed) classes.push("missed");
                  const Direction = row.missed ? PhoneMissed : row.direction === "inbound" ? PhoneIncoming : PhoneOutgoing;
                  const directionLabel = row.missed ? "Missed" : row.direction === "inbound" ? "Inbound" : "Outbound";
                  return (
                    <div
                      key={row.id}
                      id={`history-row-${index}`}
                      className={classes.join(" ")}
                      role="row"
                      aria-rowindex={index + 2}
                      data-testid="history-row"
                      data-call-id={row.id}
                      title={row.leadId ? "Open lead" : undefined}
                      style={{ height: ROW_HEIGHT, transform: `translateY(${index * ROW_HEIGHT}px)` }}
                      onClick={() => {
                        setActiveIndex(index);
                        scrollRef.current?.focus({ preventScroll: true });
                        open(row);
                      }}
                    >
                      <div role="gridcell" className="cell col-direction">
                        <Direction size={14} aria-label={directionLabel} className={row.missed ? "direction-missed" : `direction-${row.direction}`} />
                      </div>
                      <div role="gridcell" className="cell">
                        {row.leadName ? <strong>{row.leadName}</strong> : <span className="muted">Unknown</span>}
                        {row.leadCompany && <span className="muted"> · {row.leadCompany}</span>}
                      </div>
                      <div role="gridcell" className="cell history-number">
                        <span title={row.contactNumber}>{row.contactDisplay}</span>
                        {dialer.available && (
                          <button
                            type="button"
                            className="icon-button call-button"
                            data-testid="history-call"
                            aria-label={`Call ${row.leadName ?? row.contactDisplay}`}
                            title={`Call ${row.contactNumber}`}
                            disabled={dialer.busy}
                            onClick={(e) => {
                              e.stopPropagation();
                              dialer.start(row.contactNumber, callLead(row));
                            }}
                            onKeyDown={(e) => e.stopPropagation()}
                          >
                            <Phone size={13} aria-hidden />
                          </button>
                        )}
                      </div>
                      <div role="gridcell" className="cell">
                        {formatDateTime(row.startedAt)}
                      </div>
                      <div role="gridcell" className="cell num">
                        {formatDuration(row.durationSeconds)}
                      </div>
                      <div role="gridcell" className="cell" data-testid="history-disposition-cell">
                        {row.missed && (
                          <span className="missed-label" data-testid="history-missed">
                            Missed
                          </span>
                        )}
                        {row.disposition ? (
                          <span className="pill">{dispositionLabel(row.disposition, options)}</span>
                        ) : (
                          !row.missed && <span className="muted small">To wrap up</span>
                        )}
                      </div>
                      <div role="gridcell" className="cell" title={row.notes ?? undefined}>
                        {row.notes ?? ""}
                      </div>
                      <div role="gridcell" className="cell col-recording">
                        {row.hasRecording && <FileAudio size={14} className="recording-icon" data-testid="history-recording-icon" aria-label="Has a recording" />}
                      </div>
                    </div>
                  );
                })}
              </div>
            </div>
          </div>
          {rows !== null && rows.length === 0 && (
            <div className="no-matches muted" data-testid="history-no-matches">
              No calls match these filters.
            </div>
          )}
          <div className="history-footer">
            {hasMore ? (
              <button type="button" className="button small" data-testid="history-load-more" disabled={loading} onClick={loadMore}>
                {loading && <Loader2 size={13} className="spin" aria-hidden />} Load more
              </button>
            ) : (
              rows !== null && rows.length > 0 && <span className="muted small">That is all{filtered ? " that matches" : ""}.</span>
            )}
            {loading && !hasMore && <Loader2 size={13} className="spin" aria-label="Loading" />}
          </div>
        </div>
      )}
      {dialer.dialog}
    </div>
  );
}
