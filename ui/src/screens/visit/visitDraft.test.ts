import { describe, expect, it } from "vitest";
import i18n from "../../i18n";
import {
  attendeesOf,
  initialVisit,
  parseRows,
  toVisitInput,
  validateVisit,
  visitDraftKey,
  type VisitDraft,
} from "./visitDraft";

const t = i18n.getFixedT("nb");
const now = new Date(2026, 4, 12, 9, 7);

function draft(patch: Partial<VisitDraft> = {}): VisitDraft {
  return { ...initialVisit(undefined, now), actions: "[]", ...patch };
}

describe("initialVisit", () => {
  it("opens a new visit at now, on site, with one empty action row", () => {
    const v = initialVisit(undefined, now);
    expect(v).toMatchObject({ date: "2026-05-12", time: "09:07", kind: "on_site", summary: "" });
    const rows = parseRows(v.actions);
    expect(rows.map(({ what, owner, due }) => ({ what, owner, due }))).toEqual([{ what: "", owner: "employer", due: "" }]);
    expect(rows[0]?.key).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("starts a correction from the original's time and summary", () => {
    const original = { at: new Date(2026, 3, 2, 14, 30).toISOString(), summary: "Gikk fint." };
    expect(initialVisit(original, now)).toMatchObject({ date: "2026-04-02", time: "14:30", summary: "Gikk fint." });
  });

  it("names a correction's draft apart from a new visit's", () => {
    expect(visitDraftKey("p1")).toBe("draft.visit.p1");
    expect(visitDraftKey("p1", "v1")).toBe("draft.visit.p1.corrects.v1");
  });
});

describe("parseRows", () => {
  it("reads rows, fills what is missing and skips what is not a row", () => {
    const rows = parseRows(JSON.stringify([{ key: "a", what: "Ringe", due: "2026-06-01" }, null, 3, { what: 7 }]));
    expect(rows[0]).toEqual({ key: "a", what: "Ringe", owner: "employer", due: "2026-06-01" });
    expect(rows[1]).toMatchObject({ what: "", owner: "employer", due: "" });
    expect(rows[1]?.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(rows).toHaveLength(2);
  });

  it("gives one empty row for text that is not a list", () => {
    expect(parseRows("{oops")).toHaveLength(1);
    expect(parseRows('{"a":1}')).toHaveLength(1);
    expect(parseRows("[]")).toEqual([]);
  });
});

describe("attendeesOf", () => {
  it("splits on commas and drops blanks", () => {
    expect(attendeesOf(" Kari, Ola ,, ")).toEqual(["Kari", "Ola"]);
    expect(attendeesOf("")).toEqual([]);
  });
});

describe("validateVisit", () => {
  it("accepts a plain new visit", () => {
    expect(validateVisit(t, draft(), {})).toEqual({});
  });

  it("lists the fields' errors in screen order, then each action row's", () => {
    const actions = JSON.stringify([
      { key: "r1", what: "", owner: "employer", due: "2026-06-01" },
      { key: "r2", what: "Ringe", owner: "adviser", due: "" },
    ]);
    const errors = validateVisit(t, draft({ time: "9", place: "x".repeat(201), actions }), {
      nextVisit: "invalid",
      "due:r2": "invalid",
    });
    expect(Object.keys(errors)).toEqual(["time", "place", "nextVisit", "visit-action-what-r1", "visit-action-due-r2"]);
    expect(errors["visit-action-what-r1"]).toContain("1");
    expect(errors["visit-action-due-r2"]).toContain("2");
  });

  it("limits the attendees to 20 names of at most 200 characters", () => {
    const many = Array.from({ length: 21 }, (_, i) => `P${i}`).join(",");
    expect(validateVisit(t, draft({ attendees: many }), {}).attendees).toBeDefined();
    expect(validateVisit(t, draft({ attendees: "a".repeat(201) }), {}).attendees).toBeDefined();
    expect(validateVisit(t, draft({ attendees: "Kari, Ola" }), {}).attendees).toBeUndefined();
  });
});

describe("toVisitInput", () => {
  it("trims, converts ratings, leaves empty rows out and links a correction", () => {
    const input = toVisitInput(
      draft({
        place: "  Lageret ",
        attendees: "Kari, Ola",
        employerRating: "4",
        candidateRating: "",
        summary: " Bra. ",
        actions: JSON.stringify([
          { key: "a", what: " Ringe ", owner: "adviser", due: "2026-06-01" },
          { key: "b", what: " ", owner: "employer", due: "" },
        ]),
        nextVisit: "",
      }),
      "v1",
    );
    expect(input).toMatchObject({
      at: new Date(2026, 4, 12, 9, 7).toISOString(),
      place: "Lageret",
      attendees: ["Kari", "Ola"],
      employerRating: 4,
      candidateRating: null,
      summary: "Bra.",
      actions: [{ what: "Ringe", owner: "adviser", due: "2026-06-01" }],
      nextVisit: null,
      corrects: "v1",
    });
    expect(toVisitInput(draft(), undefined).corrects).toBeNull();
  });
});
