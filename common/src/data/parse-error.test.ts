import { describe, it, expect } from "vitest";
import { DatasetParseError } from "./parse-error.ts";

describe("DatasetParseError", () => {
  it("carries file, line and problem and formats the message", () => {
    const error = new DatasetParseError("u.data", 17, 'rating "x" is not a number');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(DatasetParseError);
    expect(error.name).toBe("DatasetParseError");
    expect(error.file).toBe("u.data");
    expect(error.line).toBe(17);
    expect(error.problem).toBe('rating "x" is not a number');
    expect(error.message).toBe('u.data line 17: rating "x" is not a number');
  });
});
