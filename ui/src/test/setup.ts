/// <reference types="node" />
import "@testing-library/jest-dom/vitest";
import { URL as NodeURL } from "node:url";
import { cleanup, configure } from "@testing-library/react";
import { afterAll, afterEach } from "vitest";
import { stopSipPeer } from "./sip";
import { stopTeamBackend } from "./team";

afterEach(() => cleanup());
afterAll(() => Promise.all([stopTeamBackend(), stopSipPeer()]));

// The UI tests wait for a real core's answers: find*/waitFor allow 3 s (1 s by default), which a
// slow 2-core CI needs; a test that passes waits no longer than its answers take.
configure({ asyncUtilTimeout: 3000 });

if (typeof window !== "undefined") installDomStandIns();

/** What jsdom lacks; node-environment suites (devCore.test.ts) have no DOM at all. */
function installDomStandIns() {
  // jsdom does no layout: every element is 0×0, so a windowed list would render no rows. Give the
  // windowed scroll container (marked data-virtual-scroll) a viewport of 1000×640 px; the
  // production code path (useFixedRows, only the rows in view rendered) is unchanged.
  const VIEWPORT = { width: 1000, height: 640 };
  for (const [prop, size] of [
    ["clientHeight", VIEWPORT.height],
    ["clientWidth", VIEWPORT.width],
    ["offsetHeight", VIEWPORT.height],
    ["offsetWidth", VIEWPORT.width],
  ] as const) {
    const original = Object.getOwnPropertyDescriptor(HTMLElement.prototype, prop) ?? Object.getOwnPropertyDescriptor(Element.prototype, prop);
    Object.defineProperty(HTMLElement.prototype, prop, {
      configurable: true,
      get(this: HTMLElement) {
        if (this.hasAttribute("data-virtual-scroll")) return size;
        return original?.get ? original.get.call(this) : 0;
      },
    });
  }

  if (!("ResizeObserver" in globalThis)) {
    class ResizeObserverStub {
      observe() {}
      unobserve() {}
      disconnect() {}
    }
    (globalThis as unknown as { ResizeObserver: unknown }).ResizeObserver = ResizeObserverStub;
  }

  // jsdom has no blob: URLs (URL.createObjectURL/revokeObjectURL). The recording player turns the
  // file the core downloaded (read with fetch, a Node Response) into one: Node's own registry
  // stands in, so the <audio> src is a real blob: URL that Node's fetch can read back.
  if (typeof URL.createObjectURL !== "function") {
    URL.createObjectURL = (blob: Blob) => NodeURL.createObjectURL(blob as Parameters<typeof NodeURL.createObjectURL>[0]);
    URL.revokeObjectURL = (url: string) => NodeURL.revokeObjectURL(url);
  }

  // jsdom has no media queries; uPlot (the Analytics charts) asks one for the pixel ratio when its
  // module loads. Nothing matches, as on a plain screen.
  if (typeof window.matchMedia !== "function") {
    window.matchMedia = (media: string) =>
      ({ matches: false, media, onchange: null, addEventListener() {}, removeEventListener() {}, addListener() {}, removeListener() {}, dispatchEvent: () => false }) as MediaQueryList;
  }

  if (!Element.prototype.scrollTo) {
    Element.prototype.scrollTo = function scrollTo(this: Element, arg?: ScrollToOptions | number, y?: number) {
      if (typeof arg === "number") {
        this.scrollLeft = arg;
        this.scrollTop = y ?? 0;
      } else if (arg) {
        if (arg.top !== undefined) this.scrollTop = arg.top;
        if (arg.left !== undefined) this.scrollLeft = arg.left;
      }
      this.dispatchEvent(new Event("scroll"));
    };
  }
}
