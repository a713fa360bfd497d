import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { appRoot } from "./App";
import { loadBackend } from "./backend";
import "./styles.css";

void loadBackend().then((backend) =>
  createRoot(document.getElementById("root")!).render(
    <StrictMode>{appRoot(backend)}</StrictMode>,
  ),
);
