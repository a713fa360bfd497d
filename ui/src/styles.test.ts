import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

// Names a font stack may hold: the desktop's own UI font and the generic fallbacks. Every other
// name WebKitGTK does not find costs it a fontconfig alias search for each size and weight on
// screen (75 ms of the first layout with the nine-name stack; BENCHMARKS.md, desktop).
const CHEAP = new Set(["system-ui", "ui-monospace", "sans-serif", "serif", "monospace", "var(--mono)", "inherit"]);

function fontStacks(css: string): string[] {
  return [...css.matchAll(/(?:font-family|--mono)\s*:\s*([^;}]+)/g)].map((m) => m[1].trim());
}

describe("styles.css", () => {
  it("names only the system UI font and generic families, so the first layout does no font search", () => {
    const css = readFileSync(resolve(__dirname, "styles.css"), "utf8");
    const stacks = fontStacks(css);
    expect(stacks.length, "the stylesheet's font stacks were found").toBeGreaterThan(1);
    for (const stack of stacks) {
      const names = stack.split(",").map((n) => n.trim());
      const costly = names.filter((n) => !CHEAP.has(n));
      expect(costly, `font stack "${stack}" names fonts WebKitGTK must search for`).toEqual([]);
    }
  });
});
