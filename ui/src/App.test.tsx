// Every screen against the fake backend of `npm run dev:mock` (src/dev/mockBackend.ts): the
// screens and their parts render, and the hash router moves between them.
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import { installMockBackend } from "./dev/mockBackend";

const slow = { timeout: 4000 };

function start(search: string) {
  window.history.replaceState(null, "", `/${search}`);
  installMockBackend();
  render(<App />);
}

function go(hash: string) {
  act(() => {
    window.location.hash = hash;
  });
}

afterEach(() => {
  window.history.replaceState(null, "", "/");
});

describe("the app against the mock backend", () => {
  it("adviser: list, search, overview, visit form, new placement", { timeout: 20_000 }, async () => {
    start("");
    const links = await screen.findAllByTestId("placement-link", undefined, slow);
    expect(links.length).toBeGreaterThan(1);

    fireEvent.change(screen.getByTestId("placement-search"), { target: { value: "lager" } });
    expect(await screen.findByTestId("search-results", undefined, slow)).toBeTruthy();
    fireEvent.change(screen.getByTestId("placement-search"), { target: { value: "" } });

    go(links[0]?.getAttribute("href") ?? "");
    const overview = await screen.findByTestId("placement-overview", undefined, slow);
    expect(within(overview).getAllByTestId("timeline-item").length).toBeGreaterThan(0);
    // The sections below the timeline are drawn once the first screenful is painted.
    for (const part of ["overview-training-plan", "lifecycle", "invite-section", "members", "sync-log", "note-form"]) {
      expect(await within(overview).findByTestId(part, undefined, slow)).toBeTruthy();
    }

    go(screen.getByTestId("record-visit").getAttribute("href") ?? "");
    expect(await screen.findByTestId("visit-form", undefined, slow)).toBeTruthy();
    expect(screen.getAllByTestId("visit-action")).toHaveLength(1);

    go("#/placements/new");
    expect(await screen.findByTestId("new-placement-form", undefined, slow)).toBeTruthy();

    go("#/placements/no-such-placement");
    expect(await screen.findByText("Fant ikke oppfølgingsløpet. Det kan være slettet fra denne enheten.", undefined, slow)).toBeTruthy();
  });

  it("employer: the overview has the daily log, and join has its form", async () => {
    start("?device=employer");
    const links = await screen.findAllByTestId("placement-link", undefined, slow);
    go(links[0]?.getAttribute("href") ?? "");
    await screen.findByTestId("placement-overview", undefined, slow);
    fireEvent.click(screen.getByTestId("daily-log-open"));
    expect(await screen.findByTestId("daily-log-form")).toBeTruthy();
    expect(screen.queryByTestId("record-visit")).toBeNull();

    go("#/join");
    expect(await screen.findByTestId("join-form", undefined, slow)).toBeTruthy();
  });

  it("adviser: a new device's code is made from the list, and her new device can join", async () => {
    start("?device=adviser");
    fireEvent.click(await screen.findByTestId("new-device-link", undefined, slow));
    fireEvent.click(await screen.findByTestId("new-device-start", undefined, slow));
    expect((await screen.findByTestId("pairing-short-code", undefined, slow)).textContent).toBe("WXYZ-ABCD-EFGH-JKLM");
    // The join screen was the employer's alone: an adviser's new device could not reach it.
    go("#/join");
    expect(await screen.findByTestId("join-form", undefined, slow)).toBeTruthy();
  });

  it("first run", async () => {
    start("?device=fresh");
    expect(await screen.findByTestId("first-run-form", undefined, slow)).toBeTruthy();
  });

  it("a locked device asks for the passphrase", async () => {
    start("?device=locked");
    expect(await screen.findByTestId("unlock-passphrase", undefined, slow)).toBeTruthy();
  });

  it("locks itself after the idle time and opens again with the passphrase", { timeout: 20_000 }, async () => {
    start("?lockAfterMs=300");
    await screen.findAllByTestId("placement-link", undefined, slow);
    // Nothing is used: the idle timer locks the app, and the list with its names is gone.
    expect(await screen.findByText("Følgesvenn er låst", undefined, slow)).toBeTruthy();
    expect(screen.queryByTestId("placement-link")).toBeNull();
    fireEvent.click(screen.getByTestId("unlock-submit"));
    expect(await screen.findAllByTestId("placement-link", undefined, slow)).not.toHaveLength(0);
  });

  it("locks from the user's menu, and the menu sets the idle time", async () => {
    start("");
    await screen.findAllByTestId("placement-link", undefined, slow);
    const menu = screen.getByTestId("header-user");
    fireEvent.click(menu);
    fireEvent.click(await screen.findByTestId("lock-after-15"));
    await waitFor(() => expect(screen.getByTestId("lock-after-15").getAttribute("aria-checked")).toBe("true"));
    expect(screen.getByTestId("lock-after-5").getAttribute("aria-checked")).toBe("false");
    fireEvent.click(screen.getByTestId("lock-now"));
    expect(await screen.findByText("Følgesvenn er låst", undefined, slow)).toBeTruthy();
  });

  it("searches from the header and opens the record the hit names", { timeout: 20_000 }, async () => {
    start("");
    await screen.findAllByTestId("placement-link", undefined, slow);
    const search = screen.getByTestId("header-search");
    fireEvent.change(search, { target: { value: "vernesko" } });
    fireEvent.submit(search.closest("form") as HTMLFormElement);
    const hits = await screen.findAllByTestId("search-hit", undefined, slow);
    const link = within(hits[0] as HTMLElement).getByRole("link");
    const record = new URLSearchParams(link.getAttribute("href")?.split("?")[1]).get("record");
    expect(record).toBeTruthy();
    go(link.getAttribute("href") ?? "");
    await screen.findByTestId("placement-overview", undefined, slow);
    await waitFor(() => expect(document.activeElement?.getAttribute("data-id")).toBe(record));
    expect(document.activeElement?.classList.contains("shown-record")).toBe(true);
  });
});
