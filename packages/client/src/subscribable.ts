/** A set of listeners; `subscribe` returns the unsubscribe function (TanStack Query's Subscribable). */
export class Subscribable<L extends (...args: never[]) => void> {
  protected readonly listeners = new Set<L>()

  subscribe(listener: L): () => void {
    this.listeners.add(listener)
    this.onSubscribe()
    return () => {
      this.listeners.delete(listener)
      this.onUnsubscribe()
    }
  }

  hasListeners(): boolean {
    return this.listeners.size > 0
  }

  protected emit(...args: Parameters<L>): void {
    for (const l of this.listeners) l(...args)
  }

  protected onSubscribe(): void {}
  protected onUnsubscribe(): void {}
}
