import { describe, it, expect } from "vitest";
import { parseCsv } from "./csv.ts";

const rows = (text: string) => parseCsv(text, "t.csv").map((r) => r.fields);

describe("parseCsv", () => {
  it("splits plain records on LF and CRLF", () => {
    expect(rows("a,b\n1,2\r\n3,4")).toEqual([
      ["a", "b"],
      ["1", "2"],
      ["3", "4"],
    ]);
    expect(rows("a,b\r\n1,2\r\n")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });

  it("keeps empty fields", () => {
    expect(rows("a,,c\n,\n")).toEqual([
      ["a", "", "c"],
      ["", ""],
    ]);
  });

  it("reads quoted fields with commas, doubled quotes and line breaks", () => {
    const text = 'user,profile\n1,"Likes ""noir"", jazz"\n2,"line one\r\nline two"\n3,plain\n';
    expect(rows(text)).toEqual([
      ["user", "profile"],
      ["1", 'Likes "noir", jazz'],
      ["2", "line one\r\nline two"],
      ["3", "plain"],
    ]);
  });

  it("numbers each record by the line it starts on", () => {
    const records = parseCsv('h\n"a\nb\nc"\nd\n', "t.csv");
    expect(records.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it("ignores trailing empty lines and an empty text", () => {
    expect(rows("a\n1\n\n\r\n")).toEqual([["a"], ["1"]]);
    expect(rows("")).toEqual([]);
  });

  it.each([
    ['a,b\n1,"open\n2,3', "t.csv line 2: quoted field is not closed"],
    ['a,b\n1,"x"y\n', "t.csv line 2: unexpected character after a closing quote"],
    ['a,b\n1,x"y"\n', 't.csv line 2: a quote (") inside an unquoted field'],
    ["a,b\n\n1,2\n", "t.csv line 2: empty line"],
  ])("rejects %j", (text, message) => {
    expect(() => parseCsv(text, "t.csv")).toThrow(message);
  });
});
