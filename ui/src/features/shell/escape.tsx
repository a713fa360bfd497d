// Escape closes the top-most open layer (help overlay, dialog, detail panel). Layers register
// while they are open; App's single keydown listener calls the last one registered.
import { createContext, useContext, useEffect, useMemo, useRef, type ReactNode } from "react";

type Layer = { current: () => void };
type EscapeStack = { push(layer: Layer): () => void; top(): (() => void) | null };

const EscapeContext = createContext<EscapeStack | null>(null);

export function EscapeProvider({ children }: { children: ReactNode }) {
  const layers = useRef<Layer[]>([]);
  const stack = useMemo<EscapeStack>(
    () => ({
      push(layer) {
        layers.current.push(layer);
        return () => {
          layers.current = layers.current.filter((l) => l !== layer);
        };
      },
      top() {
        const last = layers.current[layers.current.length - 1];
        return last ? () => last.current() : null;
      },
    }),
    [],
  );
  return <EscapeContext.Provider value={stack}>{children}</EscapeContext.Provider>;
}

export function useEscapeStack(): EscapeStack {
  const stack = useContext(EscapeContext);
  if (!stack) throw new Error("useEscapeStack() outside <EscapeProvider>");
  return stack;
}

/** While `active`, Escape (pressed anywhere, unless a field handled it) calls `onEscape`. */
export function useEscapeLayer(active: boolean, onEscape: () => void) {
  const stack = useEscapeStack();
  const layer = useRef<Layer>({ current: onEscape });
  layer.current.current = onEscape;
  useEffect(() => {
    if (!active) return;
    return stack.push(layer.current);
  }, [active, stack]);
}
