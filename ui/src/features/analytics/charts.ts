// The Analytics page's charts, drawn by uPlot (μPlot): category bars (plain, one colour per
// category, stacked, or with a line on a second axis) and the 7 × 24 heatmap, with axes, units,
// a key, a tooltip and a PNG export. This module loads with the Analytics page only (the first
// paint never holds it).
//
// uPlot rather than Apache ECharts: measured in the release window over 20k calls, the page's web
// process held +9.2 MiB with ECharts' chunk merely loaded and +49.8 MiB with the five charts
// drawn; uPlot's whole library is 51 kB minified against ECharts' 595 kB chunk (BENCHMARKS.md,
// "Analytics page memory"). uPlot has no heatmap series: the heatmap is drawn in uPlot's `draw`
// hook on its own scales and axes, as uPlot's own heatmap demos do.
import { formatCount } from "../../lib/format";
import uPlot from "./plot";

/** The app's palette (styles.css) for the outcomes, in the order the charts stack them. */
export const OUTCOME_COLORS = {
  answered: "#16a34a",
  voicemail: "#2563eb",
  busy: "#b45309",
  noAnswer: "#94a3b8",
  wrongNumber: "#dc2626",
  unclassified: "#cbd5e1",
} as const;

export const TEXT = "#0f172a";
const MUTED = "#64748b";
const BORDER = "#e2e8f0";
/** A heatmap cell with too few dials to read. */
const SPARSE = "#e2e8f0";
const FONT = "11px system-ui, sans-serif";

/** One entry of a chart's key: a colour, or a gradient from one colour to another. */
export type KeyItem = { label: string; color: string | [string, string] };

/** What a chart draws: uPlot's options (less its size), its data, its key and its tooltip. */
export type ChartSpec = {
  options: Omit<uPlot.Options, "width" | "height">;
  data: uPlot.AlignedData;
  key: KeyItem[];
  /** The tooltip's lines at the cursor, or null where there is nothing to tell. */
  tip: (u: uPlot) => string[] | null;
};

/** A series' bars: one colour, or (for a chart's only series) one colour per category. */
export type BarSeries = { label: string; color: string | string[]; values: (number | null)[] };
/** A series as drawn: one colour. */
type Solid = BarSeries & { color: string };

export type Bars = {
  /** The label of each bar (or group of bars) along the x axis. */
  categories: string[];
  series: BarSeries[];
  /** Stack the series on each other (in the order given, the first at the bottom). */
  stacked?: boolean;
  /** A line on a second axis at the right, e.g. talk minutes. */
  line?: { label: string; color: string; values: number[]; unit: string };
  /** The y axis's unit. */
  unit: string;
  /** A fixed top of the y axis (100 for percentages). */
  max?: number;
  /** How a value reads in the tooltip and above its bar. */
  format?: (v: number) => string;
  /** Write each bar's value above it. */
  valueLabels?: boolean;
};

/** Ticks that land on whole numbers: 1, 2, 5, 10, 20, 50, … */
const WHOLE = Array.from({ length: 30 }, (_, i) => [1, 2, 5][i % 3] * 10 ** Math.floor(i / 3));

const axisStyle = { stroke: MUTED, font: FONT, labelFont: FONT, grid: { stroke: BORDER, width: 1 }, ticks: { stroke: BORDER, width: 1 } };

/** Category indices to label along an axis `px` CSS pixels long, about one per `space` pixels. */
function everyNth(count: number, px: number, space: number): number[] {
  const step = Math.max(1, Math.ceil(count / Math.max(1, Math.floor(px / space))));
  return Array.from({ length: count }, (_, i) => i).filter((i) => i % step === 0);
}

/** Bars per category, each series a colour; stacked, grouped side by side, or one per category. */
export function barChart(b: Bars): ChartSpec {
  const n = b.categories.length;
  const format = b.format ?? formatCount;
  // A colour per category: a series per category, with a value at its own place only.
  const colors = b.series[0]?.color;
  const own: Solid[] | null = Array.isArray(colors)
    ? b.categories.map((label, i) => ({ label, color: colors[i], values: b.categories.map((_, j) => (i === j ? b.series[0].values[i] : null)) }))
    : null;
  const solid: Solid[] = own ?? b.series.map((s) => ({ ...s, color: Array.isArray(s.color) ? s.color[0] : s.color }));
  // Stacked bars are drawn as running totals, the tallest first, so each covers the one below.
  const drawn = b.stacked ? runningTotals(solid) : solid;
  const order = b.stacked ? [...drawn.keys()].reverse() : [...drawn.keys()];
  // Grouped: each category gets a slot per series and a gap; a slot holds one series' bar.
  const grouped = !b.stacked && !own && b.series.length > 1;
  const slots = grouped ? b.series.length + 1 : 1;
  const xs = Array.from({ length: n * slots }, (_, i) => i);
  const column = (s: Solid, k: number) => (grouped ? xs.map((x) => (x % slots === k ? s.values[Math.floor(x / slots)] : null)) : s.values);
  const bars = uPlot.paths.bars!({ size: [grouped ? 0.9 : 0.6, 48], align: 0 });
  const series: uPlot.Series[] = [
    {},
    ...order.map((i) => ({ label: drawn[i].label, fill: drawn[i].color, stroke: drawn[i].color, width: 0, paths: bars, points: { show: false } })),
  ];
  const data: (number | null)[][] = [xs, ...order.map((i) => column(drawn[i], i))];
  const axes: uPlot.Axis[] = [
    {
      ...axisStyle,
      grid: { show: false },
      // A group's label sits under its middle bar.
      splits: (u) => everyNth(n, u.bbox.width / uPlot.pxRatio, 72).map((i) => (grouped ? i * slots + (b.series.length - 1) / 2 : i)),
      values: (_u, splits) => splits.map((x) => b.categories[Math.floor(x / slots)] ?? ""),
    },
    { ...axisStyle, label: b.unit, labelSize: 18, incrs: WHOLE, size: 52 },
  ];
  const scales: uPlot.Scales = {
    x: { time: false, range: () => [-0.5, n * slots - 0.5 - (grouped ? 1 : 0)] },
    y: { range: (_u, _min, max) => [0, b.max ?? headroom(max)] },
  };
  if (b.line) {
    const line = b.line;
    series.push({ label: line.label, stroke: line.color, width: 2, scale: "y2", points: { show: true, size: 5, fill: line.color } });
    data.push(line.values);
    axes.push({ ...axisStyle, side: 1, scale: "y2", label: line.unit, labelSize: 18, grid: { show: false }, size: 52 });
    scales.y2 = { range: (_u, _min, max) => [0, headroom(max)] };
  }
  const key: KeyItem[] = [...solid.map((s) => ({ label: s.label, color: s.color })), ...(b.line ? [{ label: b.line.label, color: b.line.color }] : [])];
  return {
    options: {
      series,
      axes,
      scales,
      legend: { show: false },
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      hooks: b.valueLabels ? { draw: [(u) => drawValueLabels(u, format)] } : {},
    },
    data: data as uPlot.AlignedData,
    key,
    tip: (u) => {
      const x = u.cursor.idx;
      if (x == null) return null;
      const at = Math.floor(x / slots);
      const lines = b.series.flatMap((s) => {
        const v = s.values[at];
        return v == null ? [] : [`${s.label}: ${format(v)}`];
      });
      if (b.line) lines.push(`${b.line.label}: ${format(b.line.values[at])}`);
      return lines.length ? [b.categories[at], ...lines] : null;
    },
  };
}

/** The top of an axis from zero: a little above the tallest value, so its bar clears the edge. */
function headroom(max: number): number {
  return Math.max(1, max * 1.08);
}

function runningTotals(series: Solid[]): Solid[] {
  const sums: number[] = [];
  return series.map((s) => ({
    ...s,
    values: s.values.map((v, i) => (sums[i] = (sums[i] ?? 0) + (v ?? 0))),
  }));
}

/** Each bar's value above it, in the series' own text. */
function drawValueLabels(u: uPlot, format: (v: number) => string) {
  const ctx = u.ctx;
  ctx.save();
  ctx.font = `${11 * uPlot.pxRatio}px system-ui, sans-serif`;
  ctx.fillStyle = TEXT;
  ctx.textAlign = "center";
  ctx.textBaseline = "bottom";
  for (let s = 1; s < u.series.length; s++) {
    const ys = u.data[s];
    u.data[0].forEach((x, i) => {
      const v = ys[i];
      if (v == null) return;
      ctx.fillText(format(v), u.valToPos(x, "x", true), u.valToPos(v, "y", true) - 3 * uPlot.pxRatio);
    });
  }
  ctx.restore();
}

export type Cell = { hour: number; weekday: number; dials: number; answered: number; sparse: boolean };

/**
 * The answered share of dials per local hour (columns) and weekday (rows, Monday on top): blue
 * from light (0 %) to full (100 %), grey where too few dials were made to read a share.
 */
export function heatmapChart(cells: Cell[], weekdays: string[], hours: string[], sparseBelow: number): ChartSpec {
  const at = new Map(cells.map((c) => [c.weekday * 24 + c.hour, c]));
  const [low, high] = ["#eff6ff", "#2563eb"];
  return {
    options: {
      series: [{}, { label: "Answered", paths: () => null, points: { show: false } }],
      scales: { x: { time: false, range: [0, 24] }, y: { range: [0, 7], dir: -1 } },
      axes: [
        {
          ...axisStyle,
          grid: { show: false },
          label: "local hour",
          labelSize: 18,
          splits: (u) => everyNth(24, u.bbox.width / uPlot.pxRatio, 40).map((h) => h + 0.5),
          values: (_u, splits) => splits.map((h) => hours[Math.floor(h)]),
        },
        { ...axisStyle, grid: { show: false }, size: 40, splits: () => weekdays.map((_, d) => d + 0.5), values: (_u, splits) => splits.map((d) => weekdays[Math.floor(d)]) },
      ],
      legend: { show: false },
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            for (const c of cells) {
              const x0 = Math.round(u.valToPos(c.hour, "x", true));
              const x1 = Math.round(u.valToPos(c.hour + 1, "x", true));
              const y0 = Math.round(u.valToPos(c.weekday, "y", true));
              const y1 = Math.round(u.valToPos(c.weekday + 1, "y", true));
              ctx.fillStyle = c.sparse ? SPARSE : mix(low, high, c.dials ? c.answered / c.dials : 0);
              ctx.fillRect(Math.min(x0, x1) + 1, Math.min(y0, y1) + 1, Math.abs(x1 - x0) - 2, Math.abs(y1 - y0) - 2);
            }
            ctx.restore();
          },
        ],
      },
    },
    data: [
      [0, 24],
      [null, null],
    ],
    key: [
      { label: "0 % → 100 % answered", color: [low, high] },
      { label: `fewer than ${sparseBelow} dials`, color: SPARSE },
    ],
    tip: (u) => {
      const { left, top } = u.cursor;
      if (left == null || top == null || left < 0 || top < 0) return null;
      const hour = Math.floor(u.posToVal(left, "x"));
      const weekday = Math.floor(u.posToVal(top, "y"));
      if (hour < 0 || hour > 23 || weekday < 0 || weekday > 6) return null;
      const c = at.get(weekday * 24 + hour);
      const where = `${weekdays[weekday]} ${hours[hour]}`;
      if (!c) return [where, "no dials"];
      const rate = ((c.answered * 100) / c.dials).toFixed(1);
      return [where, `${rate} % answered of ${c.dials} dial${c.dials === 1 ? "" : "s"}${c.sparse ? " (too few to read)" : ""}`];
    },
  };
}

/** The colour `t` (0…1) of the way from `a` to `b` (both #rrggbb). */
function mix(a: string, b: string, t: number): string {
  const ch = (s: string, i: number) => parseInt(s.slice(1 + 2 * i, 3 + 2 * i), 16);
  const out = [0, 1, 2].map((i) => Math.round(ch(a, i) + (ch(b, i) - ch(a, i)) * Math.min(1, Math.max(0, t))));
  return `#${out.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}

/** The chart as a PNG (a data URL): its canvas on white with its key below. */
export function chartPng(u: uPlot, key: KeyItem[]): string {
  const px = uPlot.pxRatio;
  const plot = u.ctx.canvas;
  const row = 24 * px;
  const out = document.createElement("canvas");
  out.width = plot.width;
  out.height = plot.height + row;
  const ctx = out.getContext("2d");
  if (!ctx) throw new Error("This window cannot draw images.");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(plot, 0, 0);
  ctx.font = `${11 * px}px system-ui, sans-serif`;
  ctx.textBaseline = "middle";
  let x = 8 * px;
  const y = plot.height + row / 2;
  for (const item of key) {
    const w = (Array.isArray(item.color) ? 36 : 12) * px;
    if (Array.isArray(item.color)) {
      const g = ctx.createLinearGradient(x, 0, x + w, 0);
      g.addColorStop(0, item.color[0]);
      g.addColorStop(1, item.color[1]);
      ctx.fillStyle = g;
    } else {
      ctx.fillStyle = item.color;
    }
    ctx.fillRect(x, y - 5 * px, w, 10 * px);
    x += w + 4 * px;
    ctx.fillStyle = TEXT;
    ctx.fillText(item.label, x, y);
    x += ctx.measureText(item.label).width + 14 * px;
  }
  return out.toDataURL("image/png");
}

/** Whether this window has a 2D canvas to draw on (jsdom, the UI tests' DOM, has none). */
export function canDraw(): boolean {
  try {
    return document.createElement("canvas").getContext("2d") != null;
  } catch {
    return false;
  }
}
