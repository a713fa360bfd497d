import { useVirtualizer } from "@tanstack/react-virtual";
import { AlertCircle, History as HistoryIcon, Loader2, PhoneIncoming, PhoneOutgoing, X } from "lucide-react";
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from "react";
import { errorMessage, useBackend } from "../../backend";
import type { CallHistoryItem, DispositionOption } from "../../generated/bindings";
import { formatDateTime, formatPhone, plural } from "../../lib/format";
import { dayStart, dispositionLabel, formatDuration } from "../calls/callText";
import { ROW_HEIGHT } from "../leads/LeadTable";

/** Calls per page ("Load more" asks for the next one, keyset-paged). */
export const HISTORY_PAGE_SIZE = 50;

type Filters = { from: string; to: string; disposition: string };
const NO_FILTERS: Filters = { from: "", to: "", disposition: "" };

type Props = {
  active: boolean;
  /** Bumps when calls were wrapped up or the team backend pulled rows: the list re-reads. */
  dataVersion: number;
  onOpenLead: (leadId: string) => void;
};

/**
 * The call history, newest first: a virtual list (only visible rows are in the DOM, like the
 * lead table) filtered by date range and disposition, paged by the last row's (startedAt, id).
 * A row with a lead opens it (click, or Enter on the selected row; arrows move the selection).
 */
export function HistoryPage({ active, dataVersion, onOpenLead }: Props) {
  const backend = useBackend();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [options, setOptions] = useState<DispositionOption[]>([]);
  const [rows, setRows] = useState<CallHistoryItem[] | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [activeIndex, setActiveIndex] = useState(-1);
  const generation = useRef(0);
  const loadedFor = useRef<string | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const headerRef = useRef<HTMLDivElement>(null);

  // The disposition set may have changed in Settings: re-read it on every visit.
  useEffect(() => {
    if (!active) return;
    let stale = false;
    backend.dispositionOptions().then(
      (o) => !stale && setOptions(o),
      () => {},
    );
    return () => {
      stale = true;
    };
  }, [active, backend]);

  const fetchPage = useCallback(
    async (after: CallHistoryItem | null) => {
      const gen = after === null ? ++generation.current : generation.current;
      setLoading(true);
      try {
        const page = await backend.callHistory({
          from: dayStart(filters.from),
          to: dayStart(filters.to, 1),
          disposition: filters.disposition === "" ? null : filters.disposition,
          leadId: null,
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
    [backend, filters],
  );

  // The first page: when the filters change, and when data changed (also while the page was hidden).
  const filterKey = `${filters.from}|${filters.to}|${filters.disposition}`;
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
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();

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
    virtualizer.scrollToIndex(next, { align: "auto" });
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
  const filtered = filterKey !== "||";
  const first = items.length ? items[0].index : 0;
  const last = items.length ? items[items.length - 1].index : -1;

  return (
    <div className="page history-page">
      <div className="toolbar">
        <h1 className="page-title toolbar-title">History</h1>
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
        {filtered && (
          <button type="button" className="button small" data-testid="history-clear-filters" onClick={() => setFilters(NO_FILTERS)}>
            <X size={13} aria-hidden /> Clear filters
          </button>
        )}
        <div className="toolbar-spacer" />
        <span className="toolbar-count muted" aria-live="polite" data-testid="history-count">
          {rows === null ? "" : `${plural(count, "call")}${hasMore ? " so far" : ""}`}
        </span>
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
              <div className="lead-table-sizer" style={{ height: virtualizer.getTotalSize() }}>
                {items.map((item) => {
                  const row = rows?.[item.index];
                  if (!row) return null;
                  const classes = ["lead-row", "history-row"];
                  if (item.index === activeIndex) classes.push("active");
                  if (item.index % 2 === 1) classes.push("odd");
                  if (row.leadId) classes.push("has-lead");
                  const Direction = row.direction === "inbound" ? PhoneIncoming : PhoneOutgoing;
                  return (
                    <div
                      key={row.id}
                      id={`history-row-${item.index}`}
                      className={classes.join(" ")}
                      role="row"
                      aria-rowindex={item.index + 2}
                      data-testid="history-row"
                      data-call-id={row.id}
                      title={row.leadId ? "Open lead" : undefined}
                      style={{ height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                      onClick={() => {
                        setActiveIndex(item.index);
                        scrollRef.current?.focus({ preventScroll: true });
                        open(row);
                      }}
                    >
                      <div role="gridcell" className="cell col-direction">
                        <Direction size={14} aria-label={row.direction === "inbound" ? "Inbound" : "Outbound"} className={`direction-${row.direction}`} />
                      </div>
                      <div role="gridcell" className="cell">
                        {row.leadName ? <strong>{row.leadName}</strong> : <span className="muted">Unknown</span>}
                        {row.leadCompany && <span className="muted"> · {row.leadCompany}</span>}
                      </div>
                      <div role="gridcell" className="cell">
                        <span title={row.contactNumber}>{formatPhone(row.contactNumber)}</span>
                      </div>
                      <div role="gridcell" className="cell">
                        {formatDateTime(row.startedAt)}
                      </div>
                      <div role="gridcell" className="cell num">
                        {formatDuration(row.durationSeconds)}
                      </div>
                      <div role="gridcell" className="cell" data-testid="history-disposition-cell">
                        {row.disposition ? (
                          <span className="pill">{dispositionLabel(row.disposition, options)}</span>
                        ) : (
                          <span className="muted small">To wrap up</span>
                        )}
                      </div>
                      <div role="gridcell" className="cell" title={row.notes ?? undefined}>
                        {row.notes ?? ""}
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
    </div>
  );
}
