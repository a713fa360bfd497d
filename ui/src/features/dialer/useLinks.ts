import { useEffect, useRef } from "react";
import type { Backend } from "../../backend";
import type { LinkNotice } from "../../generated/bindings";

/**
 * Links the desktop hands to Ringdesk (tel:, ringdesk://dial): subscribes to onLink, then takes
 * the links that arrived before (the one that started the app), each once, in order.
 */
export function useLinks(backend: Backend, onLink: (notice: LinkNotice) => void): void {
  const handler = useRef(onLink);
  handler.current = onLink;
  useEffect(() => {
    let closed = false;
    let unsubscribe: (() => void) | null = null;
    backend
      .onLink((notice) => {
        if (!closed) handler.current(notice);
      })
      .then(
        (off) => {
          if (closed) {
            off();
            return;
          }
          unsubscribe = off;
          // Taken once subscribed, so that no link falls between the two. They are handled even if
          // this effect was cleaned up meanwhile: taking them removed them from the backend.
          backend.takePendingLinks().then(
            (links) => links.forEach((l) => handler.current(l)),
            () => {},
          );
        },
        () => {},
      );
    return () => {
      closed = true;
      unsubscribe?.();
    };
  }, [backend]);
}
