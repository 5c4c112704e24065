/** A set of item rows with O(1) insert and clear in O(size): tracks the rows a client touched. */
export class RowSet implements Iterable<number> {
  private readonly member: Uint8Array;
  private readonly rows: number[] = [];

  constructor(numRows: number) {
    this.member = new Uint8Array(numRows);
  }

  add(row: number): void {
    if (this.member[row]) return;
    this.member[row] = 1;
    this.rows.push(row);
  }

  get size(): number {
    return this.rows.length;
  }

  clear(): void {
    for (const row of this.rows) this.member[row] = 0;
    this.rows.length = 0;
  }

  /** The rows in ascending order. */
  sorted(): Int32Array {
    return Int32Array.from(this.rows).sort();
  }

  [Symbol.iterator](): Iterator<number> {
    return this.rows[Symbol.iterator]();
  }
}
