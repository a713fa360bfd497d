import { useCallback, useEffect, useRef, useState } from "react";
import type { Backend } from "../../backend";
import { errorMessage } from "../../backend";
import type { LeadSort, LeadSummary } from "../../generated/bindings";

export const PAGE_SIZE = 100;

export type LeadPages = {
  /** Total rows for the current query; null until the first page arrived. */
  total: number | null;
  /** The row at `index`, or undefined while its page is loading. */
  rowAt: (index: number) => LeadSummary | undefined;
  /** Fetch (once) every page that covers rows start..end. */
  ensureRange: (start: number, end: number) => void;
  /** Replace a cached row in place (after an edit) without refetching. */
  updateRow: (row: LeadSummary) => void;
  error: string | null;
  /** Bumps whenever cached rows change, so consumers re-render. */
  revision: number;
};

/**
 * Paged, cached access to listLeads for a virtualized table. Pages of PAGE_SIZE are fetched on
 * demand; a change of query (search, list, sort) or `reloadToken` drops the cache and refetches,
 * and responses that belong to an older query are ignored.
 */
export function useLeadPages(
  backend: Backend,
  search: string,
  listId: string | null,
  sort: LeadSort,
  reloadToken: number,
): LeadPages {
  const cache = useRef(new Map<number, LeadSummary[]>());
  const pending = useRef(new Set<number>());
  const generation = useRef(0);
  const query = useRef({ search, listId, sort });
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revision, setRevision] = useState(0);

  const fetchPage = useCallback(
    (page: number) => {
      if (cache.current.has(page) || pending.current.has(page)) return;
      const gen = generation.current;
      const { search, listId, sort } = query.current;
      pending.current.add(page);
      backend
        .listLeads({
          search: search.trim() === "" ? null : search.trim(),
          listId,
          sort,
          offset: page * PAGE_SIZE,
          limit: PAGE_SIZE,
        })
        .then(
          (result) => {
            if (gen !== generation.current) return; // stale: the query changed meanwhile
            pending.current.delete(page);
            cache.current.set(page, result.rows);
            setTotal(result.total);
            setError(null);
            setRevision((r) => r + 1);
          },
          (err) => {
            if (gen !== generation.current) return;
            pending.current.delete(page);
            setError(errorMessage(err));
          },
        );
    },
    [backend],
  );

  useEffect(() => {
    generation.current++;
    query.current = { search, listId, sort };
    cache.current = new Map();
    pending.current = new Set();
    setRevision((r) => r + 1);
    fetchPage(0);
    // sort is compared by value so a new-but-equal object does not refetch
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search, listId, sort.field, sort.descending, reloadToken, fetchPage]);

  const rowAt = useCallback((index: number) => cache.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE], []);

  const ensureRange = useCallback(
    (start: number, end: number) => {
      for (let p = Math.floor(Math.max(0, start) / PAGE_SIZE); p <= Math.floor(Math.max(0, end) / PAGE_SIZE); p++) fetchPage(p);
    },
    [fetchPage],
  );

  const updateRow = useCallback((row: LeadSummary) => {
    let changed = false;
    for (const rows of cache.current.values()) {
      const i = rows.findIndex((r) => r.id === row.id);
      if (i >= 0) {
        rows[i] = row;
        changed = true;
      }
    }
    if (changed) setRevision((r) => r + 1);
  }, []);

  return { total, rowAt, ensureRange, updateRow, error, revision };
}
