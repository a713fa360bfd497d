import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { BackendProvider, getBackend } from "./backend";
import "./styles.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <BackendProvider backend={getBackend()}>
      <App />
    </BackendProvider>
  </StrictMode>,
);
