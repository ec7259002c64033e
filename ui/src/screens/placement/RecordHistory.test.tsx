import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import nb from "../../i18n/nb.json";
import en from "../../i18n/en.json";
import { CHANGE_KINDS } from "../../bindings/rules";
import { callsOf, failWith, mockCommands } from "../../test/ipc";
import { RecordHistory } from "./RecordHistory";

describe("RecordHistory", () => {
  it("loads when opened and says who did what, with a note's earlier text", async () => {
    const calls = mockCommands({
      record_history: () => ({
        collection: "notes",
        entries: [
          { at: "2026-11-27T09:00:00Z", device: "d1", by: "Kari Veileder", change: "note.add", fields: [], text: "Ola møter kl 08." },
          { at: "2026-11-27T15:00:00Z", device: "d2", by: null, change: "note.edit", fields: ["body"], text: "Ola møter kl 09." },
          { at: "2026-11-28T15:00:00Z", device: "d2", by: "Per", change: "future.thing", fields: [], text: null },
        ],
      }),
    });
    render(<RecordHistory placementId="p1" recordId="n1" />);
    expect(callsOf(calls, "record_history")).toEqual([]);
    fireEvent.click(screen.getByRole("button", { name: /Endringer/ }));
    const entries = await screen.findAllByTestId("history-entry");
    expect(callsOf(calls, "record_history")).toEqual([{ placementId: "p1", recordId: "n1" }]);
    expect(entries[0]?.textContent).toContain("Kari Veileder skrev notatet");
    expect(entries[0]?.textContent).toContain("Ola møter kl 08.");
    expect(entries[1]?.textContent).toContain("En enhet endret notatet");
    expect(entries[2]?.textContent).toContain("Per endret den");
  });

  it("says why when the history cannot be read", async () => {
    mockCommands({ record_history: failWith("unknown_record", "Fant ikke oppføringen.") });
    render(<RecordHistory placementId="p1" recordId="n1" />);
    fireEvent.click(screen.getByRole("button", { name: /Endringer/ }));
    expect((await screen.findByRole("alert")).textContent).toContain("Kunne ikke hente endringene");
  });

  it("has words in both languages for every kind of change Rust names", () => {
    for (const texts of [nb, en] as const) {
      const changes = (texts as unknown as { change: Record<string, string> }).change;
      for (const code of CHANGE_KINDS) {
        expect(changes[code.replace(".", "_")], code).toEqual(expect.any(String));
      }
    }
  });
});
