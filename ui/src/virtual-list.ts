// A virtualised, paged list: only the rows on screen (plus a few) exist in the DOM, and pages are
// fetched from the backend as they scroll into view. A register of a million rows therefore costs the
// same as one of a hundred: ~30 row elements and a bounded page cache.
//
// Browsers cap an element's height (WebKit at about 33 million px), so beyond MAX_SCROLL_PX the
// scrollbar is scaled: the scroll position maps proportionally onto the row index, and rows are placed
// relative to the current scroll position instead of at index × row height.

import type { RegisterPage } from "./bindings/RegisterPage";
import type { RegisterRow } from "./bindings/RegisterRow";

/** Fetches one 0-based page. A source is replaced, never mutated (new tab, new search). */
export type PageFetcher = (page: number, pageSize: number) => Promise<RegisterPage>;

export interface ListOptions {
  rowHeight: number;
  pageSize: number;
  /** Builds the element of a loaded row. */
  renderRow: (row: RegisterRow, index: number) => HTMLElement;
  /** Builds the element of a row whose page is still loading. */
  renderPlaceholder: (index: number) => HTMLElement;
  /** Called when the row count changes. Without a total from the backend, `count` is the number of
   *  rows known so far and `exact` is false until the last page has arrived. */
  onCount: (count: number, exact: boolean) => void;
  /** Called when a page fails to load. */
  onError: (error: unknown) => void;
}

const MAX_SCROLL_PX = 8_000_000;
const OVERSCAN_ROWS = 6;
const MAX_CACHED_PAGES = 40;
const MAX_IN_FLIGHT = 2;

export class VirtualList {
  readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rowsLayer: HTMLElement;
  private readonly opts: ListOptions;

  private fetcher: PageFetcher | null = null;
  private generation = 0;
  private pages = new Map<number, RegisterRow[]>();
  private pending = new Set<number>();
  private queue: number[] = [];
  /** Rows the scroll area holds (one page ahead of `known` while the total is unknown). */
  private count = 0;
  /** Rows known to exist. */
  private known = 0;
  private exact = false;
  private loadedFirstPage = false;
  private rendered = new Map<number, { el: HTMLElement; loaded: boolean }>();
  private frame = 0;

  constructor(viewport: HTMLElement, opts: ListOptions) {
    this.viewport = viewport;
    this.opts = opts;
    this.spacer = document.createElement("div");
    this.spacer.className = "spacer";
    this.rowsLayer = document.createElement("div");
    this.rowsLayer.className = "rows";
    this.rowsLayer.setAttribute("role", "rowgroup");
    viewport.replaceChildren(this.spacer, this.rowsLayer);
    viewport.addEventListener("scroll", () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(viewport);
  }

  /** Shows another listing from its first row. */
  setSource(fetcher: PageFetcher): void {
    this.generation += 1;
    this.fetcher = fetcher;
    this.pages.clear();
    this.pending.clear();
    this.queue = [];
    this.count = 0;
    this.known = 0;
    this.exact = false;
    this.loadedFirstPage = false;
    this.clearRows();
    this.viewport.scrollTop = 0;
    this.updateSpacer();
    this.enqueue(0);
    this.pump();
  }

  /** Whether the first page has arrived (the list may still be empty). */
  get ready(): boolean {
    return this.loadedFirstPage;
  }

  /** The loaded row at `index`, if its page has arrived. */
  row(index: number): RegisterRow | undefined {
    return this.rowAt(index);
  }

  /** Rows the list holds (known so far). */
  get length(): number {
    return this.known;
  }

  /** Builds every visible row again (a selection moved). */
  redraw(): void {
    this.clearRows();
    this.render();
  }

  /** Scrolls the least needed to show row `index` whole. */
  reveal(index: number): void {
    const rowH = this.pxPerRow();
    const top = index * rowH;
    const view = this.viewport.clientHeight;
    if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
    else if (top + this.opts.rowHeight > this.viewport.scrollTop + view) this.viewport.scrollTop = top + this.opts.rowHeight - view;
  }

  /** Scrolls by whole rows (keyboard navigation). */
  scrollRows(delta: number): void {
    this.viewport.scrollTop += delta * this.pxPerRow();
  }

  private clearRows(): void {
    for (const { el } of this.rendered.values()) el.remove();
    this.rendered.clear();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private contentHeight(): number {
    return this.count * this.opts.rowHeight;
  }

  private scrollHeight(): number {
    return Math.min(this.contentHeight(), MAX_SCROLL_PX);
  }

  /** Scroll pixels per row: the row height, or less when the scrollbar is scaled. */
  private pxPerRow(): number {
    const h = this.contentHeight();
    return h <= MAX_SCROLL_PX ? this.opts.rowHeight : (this.opts.rowHeight * MAX_SCROLL_PX) / h;
  }

  private updateSpacer(): void {
    this.spacer.style.height = `${this.scrollHeight()}px`;
    this.viewport.setAttribute("aria-rowcount", String(this.count));
  }

  /** The (fractional) index of the row at the top of the viewport. */
  private firstRow(): number {
    const view = this.viewport.clientHeight;
    const top = this.viewport.scrollTop;
    if (this.contentHeight() <= MAX_SCROLL_PX) return top / this.opts.rowHeight;
    const maxTop = Math.max(1, MAX_SCROLL_PX - view);
    const maxFirst = Math.max(0, this.count - view / this.opts.rowHeight);
    return (Math.min(top, maxTop) / maxTop) * maxFirst;
  }

  private render(): void {
    const rowH = this.opts.rowHeight;
    const view = this.viewport.clientHeight;
    const first = this.firstRow();
    const start = Math.max(0, Math.floor(first) - OVERSCAN_ROWS);
    const end = Math.min(this.count, Math.ceil(first + view / rowH) + OVERSCAN_ROWS);
    // The rows layer sits where row `start` belongs and rows are placed relative to it, so that no
    // CSS length ever exceeds the scroll height (WebKit clamps lengths beyond ~33 million px).
    const layerTop = this.contentHeight() <= MAX_SCROLL_PX ? start * rowH : this.viewport.scrollTop - (first - start) * rowH;
    this.rowsLayer.style.transform = `translateY(${layerTop}px)`;

    for (const [index, entry] of this.rendered) {
      const stale = index < start || index >= end || (!entry.loaded && this.rowAt(index) !== undefined);
      if (stale) {
        entry.el.remove();
        this.rendered.delete(index);
      }
    }
    const wanted = new Set<number>();
    for (let index = start; index < end; index++) {
      wanted.add(Math.floor(index / this.opts.pageSize));
      if (this.rendered.has(index)) continue;
      const row = this.rowAt(index);
      const el = row ? this.opts.renderRow(row, index) : this.opts.renderPlaceholder(index);
      el.setAttribute("aria-rowindex", String(index + 1));
      if (index % 2 === 1) el.classList.add("odd");
      this.rowsLayer.append(el);
      this.rendered.set(index, { el, loaded: row !== undefined });
    }
    for (const [index, { el }] of this.rendered) el.style.top = `${(index - start) * rowH}px`;
    for (const page of wanted) this.enqueue(page);
    // Forget pages queued for a position the clerk has scrolled past.
    this.queue = this.queue.filter((p) => wanted.has(p) || p === 0);
    this.pump();
    this.evict(wanted);
  }

  private rowAt(index: number): RegisterRow | undefined {
    const page = this.pages.get(Math.floor(index / this.opts.pageSize));
    return page?.[index % this.opts.pageSize];
  }

  private enqueue(page: number): void {
    if (this.pages.has(page) || this.pending.has(page) || this.queue.includes(page)) return;
    this.queue.push(page);
  }

  private pump(): void {
    const fetcher = this.fetcher;
    if (!fetcher) return;
    while (this.pending.size < MAX_IN_FLIGHT && this.queue.length > 0) {
      const page = this.queue.shift() as number;
      const generation = this.generation;
      this.pending.add(page);
      fetcher(page, this.opts.pageSize).then(
        (result) => {
          if (generation !== this.generation) return;
          this.pending.delete(page);
          this.accept(page, result);
          this.pump();
        },
        (error: unknown) => {
          if (generation !== this.generation) return;
          this.pending.delete(page);
          this.opts.onError(error);
          this.pump();
        },
      );
    }
  }

  private accept(page: number, result: RegisterPage): void {
    this.pages.set(page, result.items);
    if (page === 0) this.loadedFirstPage = true;
    let count: number;
    let known: number;
    let exact: boolean;
    if (result.total !== null) {
      count = known = result.total;
      exact = true;
    } else {
      // No total (searches): grow the list as pages arrive, one page ahead while more exist.
      const seen = page * this.opts.pageSize + result.items.length;
      if (result.hasMore) {
        known = Math.max(this.known, seen);
        count = Math.max(this.count, seen + this.opts.pageSize);
        exact = false;
      } else {
        count = known = seen;
        exact = true;
      }
    }
    if (count !== this.count || known !== this.known || exact !== this.exact) {
      this.count = count;
      this.known = known;
      this.exact = exact;
      this.updateSpacer();
      this.opts.onCount(known, exact);
    }
    this.render();
  }

  /** Keeps the page cache bounded, dropping the pages farthest from the screen. */
  private evict(wanted: Set<number>): void {
    if (this.pages.size <= MAX_CACHED_PAGES) return;
    const centre = Math.floor(this.firstRow() / this.opts.pageSize);
    const byDistance = [...this.pages.keys()]
      .filter((p) => !wanted.has(p))
      .sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    while (this.pages.size > MAX_CACHED_PAGES && byDistance.length > 0) {
      this.pages.delete(byDistance.shift() as number);
    }
  }
}
