import { describe, it, expect } from "vitest";
import {
  dataLines,
  parseId,
  parseNonNegativeInteger,
  parseNumber,
  parseStarRating,
  requireText,
  splitFields,
} from "./delimited-lines.ts";

const at = { file: "f.txt", line: 4, text: "" };

describe("dataLines", () => {
  it("numbers lines, strips CR and ignores trailing empty lines", () => {
    expect(dataLines("a\r\nb\n\n\r\n", "f.txt")).toEqual([
      { file: "f.txt", line: 1, text: "a" },
      { file: "f.txt", line: 2, text: "b" },
    ]);
    expect(dataLines("only", "f.txt")).toEqual([{ file: "f.txt", line: 1, text: "only" }]);
  });

  it("rejects empty files and interior empty lines", () => {
    expect(() => dataLines("", "f.txt")).toThrow("f.txt line 1: file is empty (no data lines)");
    expect(() => dataLines("\r\n\n", "f.txt")).toThrow("f.txt line 1: file is empty");
    expect(() => dataLines("a\n \nb", "f.txt")).toThrow("f.txt line 2: empty line");
  });
});

describe("field parsers", () => {
  it("split a line into an exact number of fields", () => {
    expect(splitFields({ ...at, text: "1::2::3" }, "::", 3, "::")).toEqual(["1", "2", "3"]);
    expect(() => splitFields({ ...at, text: "1|2" }, "|", 3, "|")).toThrow(
      "f.txt line 4: expected 3 |-separated fields, found 2",
    );
  });

  it("read ids, integers, numbers, ratings and text", () => {
    expect(parseId(at, "42", "user id")).toBe(42);
    expect(() => parseId(at, "0", "user id")).toThrow('f.txt line 4: user id "0" is not a positive integer');
    expect(() => parseId(at, " 4", "user id")).toThrow("is not a positive integer");
    expect(parseNonNegativeInteger(at, "0", "timestamp")).toBe(0);
    expect(() => parseNonNegativeInteger(at, "1e3", "timestamp")).toThrow('timestamp "1e3" is not a non-negative integer');
    expect(parseNumber(at, " 3.5 ", "rating")).toBe(3.5);
    expect(parseNumber(at, "-1e2", "rating")).toBe(-100);
    expect(() => parseNumber(at, "NaN", "rating")).toThrow('rating "NaN" is not a number');
    expect(() => parseNumber(at, "0x10", "rating")).toThrow("is not a number");
    expect(parseStarRating(at, "5")).toBe(5);
    expect(() => parseStarRating(at, "4.5")).toThrow("rating 4.5 is not an integer from 1 to 5");
    expect(requireText(at, "  Toy Story ", "title")).toBe("Toy Story");
    expect(() => requireText(at, "  ", "title")).toThrow("f.txt line 4: title is empty");
  });
});
