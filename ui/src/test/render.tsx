import type { ReactNode } from "react";
import { render } from "@testing-library/react";
import { QueryClientProvider } from "@tanstack/react-query";
import { Tooltip } from "radix-ui";
import { makeQueryClient } from "../lib/queries";
import { useSessions } from "../lib/sessions";
import { useUi } from "../lib/store";

export function renderWithProviders(ui: ReactNode) {
  const client = makeQueryClient();
  const result = render(
    <QueryClientProvider client={client}>
      <Tooltip.Provider>{ui}</Tooltip.Provider>
    </QueryClientProvider>,
  );
  return { ...result, client };
}

export function resetUi() {
  useUi.setState({ selected: [], current: null, expanded: [], search: "", tab: "overview", graph: null, dialog: null, activity: [], searchFocusTick: 0, cut: [], notice: null, allRegions: false, fleetFocus: null });
  useSessions.setState({ sessions: [] });
}
