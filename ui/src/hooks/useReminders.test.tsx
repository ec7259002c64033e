import { render, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { placementSummary } from "../test/summary";
import type { PlacementSummary } from "../bindings/PlacementSummary";
import { callsOf, mockCommands } from "../test/ipc";
import { useReminders } from "./useReminders";

const today = "2026-05-11";
const clock = () => today;

function summary(patch: Partial<PlacementSummary>): PlacementSummary {
  return placementSummary(today, { candidateName: "Ola Nordmann", employerName: "Bodø Bakeri AS", ...patch });
}

/** What the notification plugin's `window.Notification` was asked to show. */
let shown: Array<{ title: string; body?: string }> = [];

beforeEach(() => {
  shown = [];
  class FakeNotification {
    static permission = "granted";
    constructor(title: string, options?: { body?: string }) {
      shown.push({ title, body: options?.body });
    }
  }
  Object.defineProperty(window, "Notification", { value: FakeNotification, configurable: true, writable: true });
});

afterEach(() => {
  Reflect.deleteProperty(window, "Notification");
});

function Probe({ revision }: { revision: number }) {
  useReminders("adviser", revision, clock);
  return null;
}

describe("useReminders", () => {
  it("says how many things wait, never whose, and only when that changes", async () => {
    let list = [summary({ openRequests: 1, lateRequests: 1, overdueActions: 1 })];
    const calls = mockCommands({ list_placements: () => list });
    const { rerender } = render(<Probe revision={0} />);
    await waitFor(() => expect(shown).toHaveLength(1));
    expect(shown[0]?.title).toBe("Følgesvenn");
    expect(shown[0]?.body).toBe("2 ting venter på deg i dag. Åpne Følgesvenn for å se hva.");
    expect(JSON.stringify(shown)).not.toMatch(/Ola|Nordmann|Bakeri/);

    // A sync that brought nothing new waiting: no second notification.
    rerender(<Probe revision={1} />);
    await waitFor(() => expect(callsOf(calls, "list_placements")).toHaveLength(2));
    expect(shown).toHaveLength(1);

    // The visit agreed for today is due: something new waits.
    list = [summary({ openRequests: 1, lateRequests: 1, overdueActions: 1, nextVisit: today })];
    rerender(<Probe revision={2} />);
    await waitFor(() => expect(shown).toHaveLength(2));
    expect(shown[1]?.body).toBe("3 ting venter på deg i dag. Åpne Følgesvenn for å se hva.");
  });

  it("stays quiet when nothing waits, and when the user has not allowed notifications", async () => {
    mockCommands({ list_placements: () => [summary({})] });
    render(<Probe revision={0} />);
    await new Promise((r) => setTimeout(r, 50));
    expect(shown).toEqual([]);

    (window.Notification as unknown as { permission: string }).permission = "denied";
    mockCommands({ list_placements: () => [summary({ overdueActions: 2 })] });
    render(<Probe revision={1} />);
    await new Promise((r) => setTimeout(r, 50));
    expect(shown).toEqual([]);
  });
});
