/**
 * A set of seqs iterated in ascending order. Seqs are handed out in
 * increasing order and settle mostly from the front, so adding is usually a
 * push and deleting marks the seq dead (skipped, compacted away later).
 */
export class SeqSet {
  private arr: number[] = []
  private head = 0
  private readonly live = new Set<number>()

  get size(): number {
    return this.live.size
  }

  has(seq: number): boolean {
    return this.live.has(seq)
  }

  add(seq: number): void {
    if (this.live.has(seq)) return
    this.live.add(seq)
    const arr = this.arr
    if (this.head === arr.length) {
      this.arr = [seq]
      this.head = 0
      return
    }
    if (seq > arr[arr.length - 1]) {
      arr.push(seq)
      return
    }
    let lo = this.head
    let hi = arr.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (arr[mid] < seq) lo = mid + 1
      else hi = mid
    }
    if (arr[lo] !== seq) arr.splice(lo, 0, seq) // else a dead copy, alive again
  }

  delete(seq: number): void {
    if (!this.live.delete(seq)) return
    const arr = this.arr
    while (this.head < arr.length && !this.live.has(arr[this.head])) this.head += 1
    const span = arr.length - this.head
    if (span > 64 && span > 4 * this.live.size) {
      this.arr = arr.slice(this.head).filter((s) => this.live.has(s))
      this.head = 0
    } else if (this.head > 1024 && this.head * 2 > arr.length) {
      this.arr = arr.slice(this.head)
      this.head = 0
    }
  }

  /** Calls `fn` with each seq, ascending, until it returns false. */
  until(fn: (seq: number) => boolean): void {
    const arr = this.arr
    for (let i = this.head; i < arr.length; i++) {
      const seq = arr[i]
      if (this.live.has(seq) && fn(seq) === false) return
    }
  }
}
