import { describe, expect, it, vi } from "vitest";

describe("the Analytics page's modules", () => {
  it("loads in a window whose language is the POSIX locale C (WebKitGTK under LANG=C)", async () => {
    const own = Object.getOwnPropertyDescriptor(navigator, "language");
    Object.defineProperty(navigator, "language", { value: "C", configurable: true });
    try {
      vi.resetModules();
      const page = await import("./AnalyticsPage");
      expect(typeof page.AnalyticsPage, "the page's modules evaluated: uPlot built its number format").toBe("function");
      expect(() => new Intl.NumberFormat(navigator.language), "the window now reports a language Intl accepts").not.toThrow();
    } finally {
      if (own) Object.defineProperty(navigator, "language", own);
      else delete (navigator as { language?: string }).language;
    }
  });
});
