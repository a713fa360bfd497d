import { useEffect, useRef } from "react";
import type { EChartsCoreOption, EChartsType } from "echarts/core";
import { echarts, rendererFor } from "./charts";

type Props = {
  /** What the chart shows, for assistive technology and the test ids. */
  label: string;
  option: EChartsCoreOption;
  height?: number;
  /** Receives the chart (for the PNG export) once drawn, and null when it goes. */
  onChart?: (chart: EChartsType | null) => void;
  /** Called after each paint of a new option (the window test measures it). */
  onPainted?: () => void;
};

/** One ECharts chart that follows its container's width; a new option replaces the old one. */
export function Chart({ label, option, height = 260, onChart, onPainted }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  const latest = useRef({ option, onPainted });
  latest.current = { option, onPainted };

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | null = null;
    void rendererFor().then((renderer) => {
      if (disposed || !host.current) return;
      const c = echarts.init(host.current, null, { renderer });
      chart.current = c;
      c.on("finished", () => latest.current.onPainted?.());
      c.setOption(latest.current.option, { notMerge: true });
      onChart?.(c);
      observer = new ResizeObserver(() => c.resize());
      observer.observe(host.current);
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
      onChart?.(null);
    };
    // The chart is made once per mount; options go through the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={host} className="chart" role="img" aria-label={label} data-testid={`chart-${label}`} style={{ height }} />;
}
