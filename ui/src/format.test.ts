import { describe, expect, it } from "vitest";
import {
  charCount,
  decimalInput,
  formatDate,
  formatNumber,
  formatShortDate,
  isSameDay,
  isValidOrgNumber,
  parseDecimal,
  parseIsoDate,
  toIsoDate,
} from "./format";

describe("parseIsoDate", () => {
  it("reads a day as local midnight", () => {
    const d = parseIsoDate("2026-11-27");
    expect(d).toBeInstanceOf(Date);
    expect([d?.getFullYear(), d?.getMonth(), d?.getDate(), d?.getHours()]).toEqual([2026, 10, 27, 0]);
  });

  it("refuses days that do not exist and other text", () => {
    expect(parseIsoDate("2026-02-30")).toBeUndefined();
    expect(parseIsoDate("2026-13-01")).toBeUndefined();
    expect(parseIsoDate("27.11.2026")).toBeUndefined();
    expect(parseIsoDate("2026-11-27T10:00:00Z")).toBeUndefined();
    expect(parseIsoDate("")).toBeUndefined();
    expect(parseIsoDate(null)).toBeUndefined();
  });

  it("round-trips with toIsoDate", () => {
    expect(toIsoDate(new Date(2026, 0, 5))).toBe("2026-01-05");
    expect(toIsoDate(parseIsoDate("2028-02-29") as Date)).toBe("2028-02-29");
  });
});

describe("formatDate", () => {
  it("shows a day in the chosen language", () => {
    expect(formatDate("2026-11-27", "nb")).toBe("27. nov. 2026");
    expect(formatDate("2026-11-27", "en")).toBe("27 Nov 2026");
  });

  it("shows a moment with its time and leaves anything else as it is", () => {
    expect(formatDate("2026-11-27T09:05:00", "nb")).toMatch(/^27\. nov\. 2026.*09:05$/);
    expect(formatDate("not a date", "nb")).toBe("not a date");
    expect(formatDate(null, "nb")).toBe("");
  });

  it("leaves the year out for a day this year", () => {
    const year = new Date().getFullYear();
    expect(formatShortDate(`${year}-12-12`, "nb")).toBe("12. des.");
    expect(formatShortDate(`${year + 1}-12-12`, "nb")).toBe(`12. des. ${year + 1}`);
  });
});

describe("numbers", () => {
  it("reads a decimal with a comma or a point, and nothing else", () => {
    expect(parseDecimal("7,5")).toBe(7.5);
    expect(parseDecimal(" 8 ")).toBe(8);
    expect(parseDecimal("7.25")).toBe(7.25);
    expect(parseDecimal("")).toBeNaN();
    expect(parseDecimal("-1")).toBeNaN();
    expect(parseDecimal("7,5 t")).toBeNaN();
    expect(parseDecimal("1e3")).toBeNaN();
  });

  it("writes a number as the user would type it", () => {
    expect(decimalInput(7.5, "nb")).toBe("7,5");
    expect(decimalInput(7.5, "en")).toBe("7.5");
    expect(decimalInput(1 / 3, "en")).toBe("0.33");
    expect(formatNumber(37.5, "nb")).toBe("37,5");
  });
});

describe("isValidOrgNumber", () => {
  it("accepts nine digits with the right modulus-11 check digit, spaces allowed", () => {
    expect(isValidOrgNumber("889640782")).toBe(true);
    expect(isValidOrgNumber("889 640 782")).toBe(true);
  });

  it("refuses a wrong check digit, a wrong length and other characters", () => {
    expect(isValidOrgNumber("889640783")).toBe(false);
    expect(isValidOrgNumber("88964078")).toBe(false);
    expect(isValidOrgNumber("8896407820")).toBe(false);
    expect(isValidOrgNumber("889-640-782")).toBe(false);
    expect(isValidOrgNumber("")).toBe(false);
  });
});

describe("charCount", () => {
  it("counts code points as the Rust side does, not UTF-16 units", () => {
    expect(charCount("æøå")).toBe(3);
    expect(charCount("👍🏽")).toBe(2);
    expect("👍🏽".length).toBe(4);
  });
});

describe("isSameDay", () => {
  it("compares local days", () => {
    expect(isSameDay(new Date(2026, 3, 1, 0, 1).getTime(), new Date(2026, 3, 1, 23, 59).getTime())).toBe(true);
    expect(isSameDay(new Date(2026, 3, 1, 23, 59).getTime(), new Date(2026, 3, 2, 0, 0).getTime())).toBe(false);
  });
});
