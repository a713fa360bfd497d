// First: asks the core's app_info while the modules below are evaluated.
import { started } from "./boot";
import { awaitFirst } from "./startup";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { appRoot } from "./App";
import "./styles.css";

void started
  .then(awaitFirst)
  .then((first) => createRoot(document.getElementById("root")!).render(<StrictMode>{appRoot(first)}</StrictMode>));
