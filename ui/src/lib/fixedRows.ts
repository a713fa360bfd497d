import { useCallback, useLayoutEffect, useState, type RefObject } from "react";

/** The rows a fixed-row-height list shows: `first..=last` (empty when `last < first`). */
export type FixedRows = {
  first: number;
  last: number;
  /** The height of all rows together, for the sizer that gives the list its scroll range. */
  totalSize: number;
  /** Scrolls as little as needed to bring row `index` fully into view. */
  scrollToIndex: (index: number) => void;
};

/**
 * Windowing for a list whose rows all have the same height: the rows in view, plus `overscan` on
 * each side, found by arithmetic from the scroll position. Nothing is kept per row, so 100k leads
 * cost what 20 do (a general virtualizer keeps a measurement per row: megabytes at that size).
 */
export function useFixedRows(scrollRef: RefObject<HTMLElement | null>, count: number, rowHeight: number, overscan: number): FixedRows {
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(0);
  // The scroll element may mount later than the list (after an empty state): follow it.
  const [el, setEl] = useState<HTMLElement | null>(null);
  useLayoutEffect(() => {
    if (scrollRef.current !== el) setEl(scrollRef.current);
  });

  useLayoutEffect(() => {
    if (!el) return;
    const read = () => {
      setScrollTop(el.scrollTop);
      setHeight(el.clientHeight);
    };
    read();
    el.addEventListener("scroll", read, { passive: true });
    const observer = new ResizeObserver(read);
    observer.observe(el);
    return () => {
      el.removeEventListener("scroll", read);
      observer.disconnect();
    };
  }, [el]);

  const scrollToIndex = useCallback(
    (index: number) => {
      const el = scrollRef.current;
      if (!el) return;
      const top = index * rowHeight;
      const bottom = top + rowHeight;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (bottom > el.scrollTop + el.clientHeight) el.scrollTop = bottom - el.clientHeight;
      else return;
      // The scroll event follows asynchronously (or not at all off-screen): take the position now.
      setScrollTop(el.scrollTop);
    },
    [scrollRef, rowHeight],
  );

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count - 1, Math.ceil((scrollTop + height) / rowHeight) - 1 + overscan);
  return { first, last, totalSize: count * rowHeight, scrollToIndex };
}
