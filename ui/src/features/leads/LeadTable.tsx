import { ArrowDown, ArrowUp, ArrowUpDown } from "lucide-react";
import { useEffect, useLayoutEffect, useRef, type KeyboardEvent, type ReactNode } from "react";
import type { LeadSort, LeadSortField, LeadSummary } from "../../generated/bindings";
import { useFixedRows } from "../../lib/fixedRows";
import { formatDate, formatValue } from "../../lib/format";
import { LeadCallButton } from "../phone/CallButton";
import type { LeadPages } from "./useLeadPages";

export const ROW_HEIGHT = 32;

type Column = { key: string; label: string; sort?: LeadSortField; className: string; render: (row: LeadSummary) => ReactNode };

const COLUMNS: Column[] = [
  { key: "name", label: "Name", sort: "name", className: "col-name", render: (r) => <strong>{r.name}</strong> },
  { key: "company", label: "Company", sort: "company", className: "col-company", render: (r) => r.company ?? "" },
  {
    key: "phone",
    label: "Phone",
    className: "col-phone",
    render: (r) => <span title={r.phoneE164 ?? undefined}>{r.phoneDisplay ?? r.phone ?? ""}</span>,
  },
  { key: "email", label: "Email", className: "col-email", render: (r) => r.email ?? "" },
  {
    key: "status",
    label: "Status",
    sort: "status",
    className: "col-status",
    render: (r) => <span className={`pill status-${r.status.toLowerCase().replace(/[^a-z]/g, "")}`}>{r.status}</span>,
  },
  { key: "value", label: "Value", sort: "value", className: "col-value num", render: (r) => formatValue(r.value) },
  { key: "lastContact", label: "Last contact", sort: "lastContact", className: "col-last", render: (r) => formatDate(r.lastContact) },
  { key: "call", label: "", className: "col-call", render: (r) => <LeadCallButton lead={r} size={14} /> },
];

type Props = {
  pages: LeadPages;
  sort: LeadSort;
  onSort: (field: LeadSortField) => void;
  activeIndex: number;
  onActiveIndexChange: (index: number) => void;
  /** Opens the detail panel for a row (click, Enter). */
  onOpen: (row: LeadSummary, index: number) => void;
  openLeadId: string | null;
};

/**
 * The lead table: a fixed-row-height windowed list (only the rows in view are in the DOM; `useFixedRows`), fed page
 * by page through `pages`. Keyboard: Up/Down/PageUp/PageDown/Home/End move the selection, Enter
 * opens the selected lead.
 */
export function LeadTable({ pages, sort, onSort, activeIndex, onActiveIndexChange, onOpen, openLeadId }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const headerRef = useRef<HTMLDivElement>(null);
  const count = pages.total ?? 0;

  const { first, last, totalSize, scrollToIndex } = useFixedRows(scrollRef, count, ROW_HEIGHT, 12);
  const items = Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);

  const { ensureRange, revision, rowAt } = pages;
  useEffect(() => {
    if (last >= first) ensureRange(first, last);
  }, [first, last, ensureRange, revision]);

  // Keep header columns aligned with the body when it shows a vertical scrollbar.
  useLayoutEffect(() => {
    const body = scrollRef.current;
    const header = headerRef.current;
    if (body && header) header.style.paddingRight = `${Math.max(0, body.offsetWidth - body.clientWidth)}px`;
  });

  const move = (index: number) => {
    if (count === 0) return;
    const next = Math.max(0, Math.min(count - 1, index));
    onActiveIndexChange(next);
    scrollToIndex(next);
    // While the panel is open it follows the selection.
    const row = rowAt(next);
    if (row && openLeadId !== null) onOpen(row, next);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
    const current = activeIndex < 0 ? -1 : activeIndex;
    switch (e.key) {
      case "ArrowDown": move(current + 1); break;
      case "ArrowUp": move(current < 0 ? 0 : current - 1); break;
      case "PageDown": move(current + pageRows); break;
      case "PageUp": move(current - pageRows); break;
      case "Home": move(0); break;
      case "End": move(count - 1); break;
      case "Enter": {
        const row = activeIndex >= 0 ? rowAt(activeIndex) : undefined;
        if (!row) return;
        onOpen(row, activeIndex);
        break;
      }
      default:
        return;
    }
    e.preventDefault();
  };

  return (
    <div className="lead-table" role="grid" aria-label="Leads" aria-rowcount={count + 1} data-testid="lead-table">
      <div className="lead-row header" role="row" ref={headerRef}>
        {COLUMNS.map((col) => {
          const sorted = col.sort && sort.field === col.sort;
          return (
            <div
              key={col.key}
              role="columnheader"
              className={`cell ${col.className}`}
              aria-sort={sorted ? (sort.descending ? "descending" : "ascending") : undefined}
            >
              {col.sort ? (
                <button type="button" className={`sort-button${sorted ? " sorted" : ""}`} onClick={() => onSort(col.sort!)}>
                  {col.label}
                  {sorted ? (
                    sort.descending ? <ArrowDown size={13} aria-label="sorted descending" /> : <ArrowUp size={13} aria-label="sorted ascending" />
                  ) : (
                    <ArrowUpDown size={13} className="sort-idle" aria-hidden />
                  )}
                </button>
              ) : (
                col.label
              )}
            </div>
          );
        })}
      </div>
      <div
        className="lead-table-body"
        ref={scrollRef}
        data-virtual-scroll
        tabIndex={0}
        role="rowgroup"
        aria-activedescendant={activeIndex >= 0 && activeIndex >= first && activeIndex <= last ? `lead-row-${activeIndex}` : undefined}
        onKeyDown={onKeyDown}
      >
        <div className="lead-table-sizer" style={{ height: totalSize }}>
          {items.map((index) => {
            const row = rowAt(index);
            const style = { height: ROW_HEIGHT, transform: `translateY(${index * ROW_HEIGHT}px)` };
            if (!row) {
              return (
                <div key={index} className="lead-row loading" role="row" aria-rowindex={index + 2} style={style} data-testid="lead-row-loading">
                  {COLUMNS.map((col) => (
                    <div key={col.key} role="gridcell" className={`cell ${col.className}`}>
                      <span className="skeleton" />
                    </div>
                  ))}
                </div>
              );
            }
            const classes = ["lead-row"];
            if (index === activeIndex) classes.push("active");
            if (row.id === openLeadId) classes.push("open");
            if (index % 2 === 1) classes.push("odd");
            return (
              <div
                key={index}
                id={`lead-row-${index}`}
                className={classes.join(" ")}
                role="row"
                aria-rowindex={index + 2}
                aria-selected={row.id === openLeadId}
                data-testid="lead-row"
                data-lead-id={row.id}
                style={style}
                onClick={() => {
                  onActiveIndexChange(index);
                  onOpen(row, index);
                  scrollRef.current?.focus({ preventScroll: true });
                }}
              >
                {COLUMNS.map((col) => (
                  <div key={col.key} role="gridcell" className={`cell ${col.className}`}>
                    {col.render(row)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
