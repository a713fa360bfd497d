import { afterEach, describe, expect, it, vi } from "vitest";

describe("format", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it("makes no Intl formatter when it loads (the first loads ICU's data), and each one once, on first use", async () => {
    const numberFormats = vi.spyOn(Intl, "NumberFormat");
    const dateFormats = vi.spyOn(Intl, "DateTimeFormat");
    const format = await import("./format");
    expect(numberFormats, "no number formatter at load").not.toHaveBeenCalled();
    expect(dateFormats, "no date formatter at load").not.toHaveBeenCalled();

    expect(format.formatCount(100_000)).toBe("100,000");
    expect(format.formatCount(2_500)).toBe("2,500");
    expect(numberFormats, "made once, then reused").toHaveBeenCalledTimes(1);
    expect(format.formatDate("2026-03-05T12:00:00Z")).toMatch(/^Mar \d, 2026$/);
    expect(dateFormats, "only the one date formatter used").toHaveBeenCalledTimes(1);
  });
});
