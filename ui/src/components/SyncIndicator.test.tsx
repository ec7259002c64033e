import { render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { SyncStatus } from "../bindings/SyncStatus";
import { SyncProvider } from "../sync";
import { mockCommands } from "../test/ipc";
import { SyncIndicator } from "./SyncIndicator";

describe("SyncIndicator", () => {
  it("offline, says in the user's language what it means, never the HTTP client's English", async () => {
    const offline: SyncStatus = {
      state: { state: "offline", reason: "error sending request for url (http://127.0.0.1:8787/v2/sync)" },
      lastSuccessMs: null,
      pending: 2,
      quarantined: 0,
      failures: 1,
      nextAttemptInMs: 5000,
      applied: 0,
    };
    mockCommands({ sync_status: () => offline, "plugin:event|listen": () => 1, "plugin:event|unlisten": () => null });
    render(
      <SyncProvider>
        <SyncIndicator />
      </SyncProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("sync-state").textContent).toContain("Frakoblet"));
    const title = screen.getByTestId("sync-state").getAttribute("title") ?? "";
    expect(title).toContain("Endringene ligger trygt på enheten");
    expect(title).not.toContain("error sending");
  });
});
