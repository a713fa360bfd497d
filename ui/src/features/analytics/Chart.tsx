import { useEffect, useRef, useState } from "react";
import uPlot from "./plot";
import { canDraw, chartPng, type ChartSpec, type KeyItem } from "./charts";

/** A drawn chart, for the PNG export. */
export type Drawn = { png: () => string };

type Props = {
  /** What the chart shows, for assistive technology and the test ids. */
  label: string;
  spec: ChartSpec;
  height?: number;
  /** Receives the chart (for the PNG export) once drawn, and null when it goes. */
  onChart?: (chart: Drawn | null) => void;
  /** Called after each paint of a new spec (the window test measures it). */
  onPainted?: () => void;
};

/** One uPlot chart that follows its container's width; a new spec redraws it. */
export function Chart({ label, spec, height = 260, onChart, onPainted }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const latest = useRef({ onPainted, onChart });
  latest.current = { onPainted, onChart };
  const [tip, setTip] = useState<{ lines: string[]; left: number; top: number; flip: boolean } | null>(null);

  useEffect(() => {
    const el = host.current;
    // jsdom (the UI tests) has no canvas: the chart's place stays, with its numbers beside it.
    if (!el || !canDraw()) return;
    const u = new uPlot(
      {
        ...spec.options,
        width: el.clientWidth,
        height,
        hooks: {
          ...spec.options.hooks,
          draw: [...(spec.options.hooks?.draw ?? []), () => latest.current.onPainted?.()],
          setCursor: [
            (u) => {
              const lines = spec.tip(u);
              const { left, top } = u.cursor;
              // Right of the cursor on the chart's left half, left of it on its right half, so
              // the tooltip stays inside the card.
              const flip = left != null && left > u.over.clientWidth / 2;
              setTip(lines && left != null && top != null && left >= 0 ? { lines, left: left + u.over.offsetLeft, top: top + u.over.offsetTop, flip } : null);
            },
          ],
        },
      },
      spec.data,
      el,
    );
    latest.current.onChart?.({ png: () => chartPng(u, spec.key) });
    const observer = new ResizeObserver(() => {
      if (el.clientWidth > 0 && el.clientWidth !== u.width) u.setSize({ width: el.clientWidth, height });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      u.destroy();
      setTip(null);
      latest.current.onChart?.(null);
    };
  }, [spec, height]);

  return (
    <div className="chart">
      <div ref={host} className="chart-plot" role="img" aria-label={label} data-testid={`chart-${label}`} style={{ height }} />
      {tip && (
        <div
          className="chart-tip"
          role="tooltip"
          style={tip.flip ? { left: tip.left - 12, top: tip.top + 12, transform: "translateX(-100%)" } : { left: tip.left + 12, top: tip.top + 12 }}
        >
          {tip.lines.map((l, i) => (i === 0 ? <strong key={i}>{l}</strong> : <span key={i}>{l}</span>))}
        </div>
      )}
      <Key items={spec.key} />
    </div>
  );
}

/** The chart's key: a swatch (or a gradient) and a label per entry; the PNG draws the same. */
function Key({ items }: { items: KeyItem[] }) {
  return (
    <ul className="chart-key">
      {items.map((k) => (
        <li key={k.label}>
          <span
            className={`chart-swatch${Array.isArray(k.color) ? " gradient" : ""}`}
            style={{ background: Array.isArray(k.color) ? `linear-gradient(to right, ${k.color[0]}, ${k.color[1]})` : k.color }}
            aria-hidden
          />
          {k.label}
        </li>
      ))}
    </ul>
  );
}
