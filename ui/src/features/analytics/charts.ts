// Apache ECharts with only what the Analytics page draws: bar, line, heatmap and funnel charts on
// the canvas renderer, with axes, grid, tooltip, a plain legend and the heatmap's continuous
// visual map (the scrolling legend and piecewise maps are left out). This module
// loads with the Analytics page only (the first paint never holds it).
import { BarChart, FunnelChart, HeatmapChart, LineChart } from "echarts/charts";
import { GridComponent, LegendPlainComponent, TooltipComponent, VisualMapContinuousComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, HeatmapChart, FunnelChart, GridComponent, TooltipComponent, LegendPlainComponent, VisualMapContinuousComponent, CanvasRenderer]);

export { echarts };

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
export const MUTED = "#64748b";
export const BORDER = "#e2e8f0";

/**
 * jsdom (the UI tests) has no canvas: there the charts draw as SVG, a renderer loaded only then.
 * Returns the renderer to init with.
 */
export async function rendererFor(): Promise<"canvas" | "svg"> {
  const canvas = typeof document !== "undefined" ? document.createElement("canvas") : null;
  let hasCanvas = false;
  try {
    hasCanvas = canvas?.getContext("2d") != null;
  } catch {
    hasCanvas = false;
  }
  // Production builds leave this branch (and the SVG renderer's chunk) out.
  if (hasCanvas || import.meta.env.MODE !== "test") return "canvas";
  const { SVGRenderer } = await import("echarts/renderers");
  echarts.use([SVGRenderer]);
  return "svg";
}
