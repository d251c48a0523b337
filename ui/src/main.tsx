import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClientProvider } from "@tanstack/react-query";
import { App } from "./App";
import { makeQueryClient, prefetchStart } from "./lib/queries";
import { applyThemeClass, systemDark } from "./lib/theme";
import "./index.css";

const client = makeQueryClient();
prefetchStart(client);
// Follow the system from the first paint; the saved choice takes over once settings load.
applyThemeClass(systemDark() ? "dark" : "light");

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
