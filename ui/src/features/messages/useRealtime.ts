import { useEffect, useRef, useState } from "react";
import type { Backend } from "../../backend";
import type { RealtimeNotice } from "../../generated/bindings";

/** The live SignalWire connection as its last `connection` notice described it. */
export type LiveConnection = { online: boolean; detail: string };

export type RealtimeHandlers = {
  /** A text arrived and was stored (`smsReceived`), or sent texts changed status (`smsChanged`). */
  onTextsChanged: (notice: Extract<RealtimeNotice, { kind: "smsReceived" | "smsChanged" }>) => void;
  /** The agent clicked a text's desktop notification: show that conversation. */
  onOpenConversation: (contactNumber: string) => void;
};

/**
 * Subscribes once to the live connection's notices (the shell starts the connection by itself;
 * Settings restarts it after SignalWire settings change). Returns the connection state, null
 * until the first `connection` notice arrived. Handlers may change on every render.
 */
export function useRealtime(backend: Backend, handlers: RealtimeHandlers): LiveConnection | null {
  const [connection, setConnection] = useState<LiveConnection | null>(null);
  const current = useRef(handlers);
  current.current = handlers;

  useEffect(() => {
    let unsubscribe: (() => void) | null = null;
    let closed = false;
    backend
      .onRealtime((notice) => {
        if (closed) return;
        switch (notice.kind) {
          case "connection":
            setConnection({ online: notice.online, detail: notice.detail });
            break;
          case "smsReceived":
          case "smsChanged":
            current.current.onTextsChanged(notice);
            break;
          case "openConversation":
            current.current.onOpenConversation(notice.contactNumber);
            break;
        }
      })
      .then(
        (off) => {
          if (closed) {
            off();
            return;
          }
          unsubscribe = off;
          // The shell may have connected before this subscription: ask for the state it reported.
          backend.realtimeStatus().then(
            (notice) => {
              if (!closed && notice?.kind === "connection") {
                setConnection((known) => known ?? { online: notice.online, detail: notice.detail });
              }
            },
            () => {},
          );
        },
        // No live notices (the event system is unavailable): polling and Sync now still work.
        () => {},
      );
    return () => {
      closed = true;
      unsubscribe?.();
    };
  }, [backend]);

  return connection;
}
