/**
 * The workspace's first frame: Shell resolves it after the frame that shows the workspace, and
 * work the first paint does not need waits for it so that it does not hold that frame back (the
 * start page's figures, whose zone and numbers load ICU's data: about 35 ms of a cold start).
 */
import { createContext, useContext } from "react";

export interface FirstPaint {
  /** Resolves once the workspace has been drawn. */
  drawn: Promise<void>;
  /** Shell calls it after the workspace's first frame. */
  reached: () => void;
}

export function newFirstPaint(): FirstPaint {
  let reached: () => void = () => {};
  const drawn = new Promise<void>((resolve) => (reached = resolve));
  return { drawn, reached };
}

/** Outside a Shell (a component rendered on its own) there is no first frame to wait for. */
const FirstPaintContext = createContext<Promise<void>>(Promise.resolve());

export const FirstPaintProvider = FirstPaintContext.Provider;

/** Resolves once this window's workspace has been drawn (at once after that). */
export function useFirstPaint(): Promise<void> {
  return useContext(FirstPaintContext);
}
