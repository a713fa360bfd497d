/**
 * main.tsx imports this module first, so in the desktop window `app_info` is on its way while
 * the script's other modules (React, the workspace) are parsed and evaluated instead of after
 * them. Importing it asks: the window's entry only.
 */
import { loadBackend } from "./backend";
import { askFirst, type Started } from "./startup";

const loaded = loadBackend();
/** The backend and the first question (at once in the desktop window; in `npm run dev`, once the dev core is connected). */
export const started: Promise<Started> = loaded instanceof Promise ? loaded.then(askFirst) : Promise.resolve(askFirst(loaded));
