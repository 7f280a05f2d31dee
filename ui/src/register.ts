// The register view: two tabs (sổ văn bản đến / đi), a search box, and the virtualised list of rows,
// newest first. Keyboard first: "/" or Ctrl+F focuses the search, Escape clears it, Alt+1 / Alt+2
// switch registers, arrows move the selected row, Enter opens it, Alt+N registers a new document.

import { api, ApiFailure } from "./api";
import type { Direction } from "./bindings/Direction";
import type { RegisterRow } from "./bindings/RegisterRow";
import { columnsFor, gridTemplate, type Column } from "./columns";
import { button, el, keyIs, modalOpen } from "./dom";
import { formatCount } from "./format";
import type { Desk } from "./shell";
import { VirtualList } from "./virtual-list";

const ROW_HEIGHT = 52;
const PAGE_SIZE = 100;
const SEARCH_DELAY_MS = 250;

const TABS: { direction: Direction; label: string; key: string }[] = [
  { direction: "incoming", label: "Sổ văn bản đến", key: "1" },
  { direction: "outgoing", label: "Sổ văn bản đi", key: "2" },
];

export function showRegister(root: HTMLElement, desk: Desk, signal: AbortSignal, start: Direction): void {
  let direction: Direction = start;
  let query = "";
  let columns: Column[] = columnsFor(direction);
  let selected = -1;

  const tabButtons = TABS.map((t) =>
    el(
      "button",
      {
        type: "button",
        className: "tab",
        id: `tab-${t.direction}`,
        role: "tab",
        "data-testid": `tab-${t.direction}`,
        "aria-selected": String(t.direction === direction),
        title: `${t.label} (Alt+${t.key})`,
      },
      t.label,
    ),
  );
  const search = el("input", {
    id: "search",
    type: "search",
    placeholder: "Tìm trong sổ: số, ký hiệu, trích yếu… (gõ không dấu cũng được)",
    autocomplete: "off",
    spellcheck: false,
    "data-testid": "search-input",
    "aria-label": "Tìm kiếm trong sổ",
  });
  const count = el("span", { className: "count", id: "row-count", "data-testid": "row-count" }, "");
  const newButton = button("Đăng ký mới", "new-document", { shortcut: "Alt+N", primary: true });
  newButton.hidden = !desk.can("register");
  newButton.addEventListener("click", () => openForm());
  const toolbar = el(
    "div",
    { className: "toolbar" },
    el("div", { className: "tabs", role: "tablist" }, ...tabButtons),
    newButton,
    el("label", { className: "search" }, search, el("kbd", {}, "/")),
    count,
  );
  const banner = el("div", { className: "error-banner", role: "alert", "data-testid": "error-banner" });

  const header = el("div", { className: "grid-header", role: "row", "data-testid": "register-header" });
  const viewport = el("div", {
    className: "viewport",
    id: "register-list",
    role: "grid",
    tabIndex: 0,
    "data-testid": "register-list",
    "aria-label": "Sổ đăng ký",
  });
  const empty = el("div", { className: "empty", "data-testid": "register-empty", hidden: true });
  const grid = el("section", { className: "grid" }, header, empty, viewport);
  const keys = el(
    "div",
    { className: "keys-hint" },
    "Phím tắt: / hoặc Ctrl+F tìm kiếm · Esc xóa tìm kiếm · Alt+1/Alt+2 đổi sổ · ↑↓ chọn dòng · Enter mở văn bản · Alt+N đăng ký mới",
  );
  root.replaceChildren(toolbar, banner, grid, keys);

  const list = new VirtualList(viewport, {
    rowHeight: ROW_HEIGHT,
    pageSize: PAGE_SIZE,
    renderRow: (row, index) => {
      const r = renderRow(row, columns);
      if (index === selected) {
        r.classList.add("selected");
        r.setAttribute("aria-selected", "true");
      }
      r.addEventListener("click", () => {
        selected = index;
        desk.openDocument(row.id);
      });
      return r;
    },
    renderPlaceholder: () => {
      const r = el("div", { className: "row loading", role: "row", "data-testid": "register-row-loading" });
      for (const c of columns) r.append(el("div", { className: "cell", role: "cell", "data-col": c.key }));
      return r;
    },
    onCount: (n, exact) => {
      const shown = formatCount(n) + (exact ? "" : "+");
      count.textContent = query ? `Tìm thấy ${shown} văn bản` : `${shown} văn bản`;
      count.dataset.count = String(n);
      empty.hidden = n !== 0;
      empty.textContent = query ? `Không tìm thấy văn bản nào khớp với “${query}”.` : "Sổ chưa có văn bản nào.";
    },
    onError: (error) => {
      banner.textContent = error instanceof ApiFailure ? error.message : String(error);
    },
  });

  function openForm(): void {
    if (!desk.can("register")) return;
    const dir = direction;
    void import(dir === "incoming" ? "./incoming-form" : "./outgoing-form").then((m: { openForm: (desk: Desk, done: () => void) => void }) =>
      m.openForm(desk, () => reload()),
    );
  }

  function reload(): void {
    selected = -1;
    banner.textContent = "";
    count.textContent = "Đang tải…";
    delete count.dataset.count;
    empty.hidden = true;
    columns = columnsFor(direction);
    const template = gridTemplate(columns);
    grid.style.setProperty("--columns", template);
    grid.dataset.direction = direction;
    header.replaceChildren(
      ...columns.map((c) => el("div", { className: "cell", role: "columnheader", "data-col": c.key }, c.title)),
    );
    const text = query;
    const dir = direction;
    list.setSource(
      text
        ? (page, pageSize) => api.searchRegister({ text, direction: dir, page, pageSize })
        : (page, pageSize) => api.listRegister({ direction: dir, page, pageSize }),
    );
    alignHeader();
  }

  // The header sits outside the scrolling viewport: pad it by the scrollbar's width.
  function alignHeader(): void {
    header.style.paddingRight = `${viewport.offsetWidth - viewport.clientWidth}px`;
  }
  const resize = new ResizeObserver(alignHeader);
  resize.observe(viewport);
  signal.addEventListener("abort", () => resize.disconnect());

  function select(index: number): void {
    const last = list.length - 1;
    if (last < 0) return;
    selected = Math.max(0, Math.min(last, index));
    list.reveal(selected);
    list.redraw();
  }

  viewport.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      select(selected + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "PageDown" || event.key === "PageUp") {
      event.preventDefault();
      const step = Math.max(1, Math.floor(viewport.clientHeight / ROW_HEIGHT) - 1);
      select(selected + (event.key === "PageDown" ? step : -step));
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      select(event.key === "Home" ? 0 : list.length - 1);
    } else if (event.key === "Enter") {
      const row = list.row(selected < 0 ? 0 : selected);
      if (row) {
        event.preventDefault();
        desk.openDocument(row.id);
      }
    }
  });

  function selectTab(next: Direction): void {
    if (next === direction) return;
    direction = next;
    for (const b of tabButtons) b.setAttribute("aria-selected", String(b.id === `tab-${next}`));
    reload();
  }
  tabButtons.forEach((b, i) => b.addEventListener("click", () => selectTab(TABS[i]?.direction ?? "incoming")));

  let timer = 0;
  search.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      const next = search.value.trim();
      if (next !== query) {
        query = next;
        reload();
      }
    }, SEARCH_DELAY_MS);
  });

  function clearSearch(): void {
    window.clearTimeout(timer);
    search.value = "";
    if (query !== "") {
      query = "";
      reload();
    }
  }

  document.addEventListener("keydown", (event) => {
    if (modalOpen()) return;
    const inField = event.target instanceof HTMLInputElement;
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "f") {
      event.preventDefault();
      search.focus();
      search.select();
    } else if (event.key === "/" && !inField) {
      event.preventDefault();
      search.focus();
      search.select();
    } else if (event.key === "Escape" && event.target === search) {
      event.preventDefault();
      clearSearch();
      viewport.focus();
    } else if (event.altKey && (keyIs(event, "1") || keyIs(event, "2"))) {
      event.preventDefault();
      selectTab(keyIs(event, "1") ? "incoming" : "outgoing");
    } else if (event.altKey && keyIs(event, "n")) {
      event.preventDefault();
      openForm();
    } else if (event.key === "ArrowDown" && inField) {
      event.preventDefault();
      viewport.focus();
      select(0);
    }
  }, { signal });

  window.addEventListener("vanthu-changed", () => reload(), { signal });
  reload();
  viewport.focus();
}

function renderRow(row: RegisterRow, columns: Column[]): HTMLElement {
  const classes = ["row"];
  if (row.urgency) classes.push("urgent");
  if (row.secrecy) classes.push("secret");
  if (row.cancelled) classes.push("cancelled");
  const r = el("div", {
    className: classes.join(" "),
    role: "row",
    "data-testid": "register-row",
    "data-id": row.id,
    "data-number": row.numberText,
    "data-direction": row.direction,
  });
  for (const c of columns) {
    const cell = el("div", {
      className: c.kind ? `cell ${c.kind}` : "cell",
      role: "cell",
      "data-col": c.key,
      "data-testid": `cell-${c.key}`,
    });
    if (c.kind === "wrap") {
      // Two lines at most: the clamp box (not the padded cell) hides the third.
      const clamp = el("div", { className: "clamp" });
      c.fill(clamp, row);
      if (clamp.title) cell.title = clamp.title;
      clamp.removeAttribute("title");
      cell.append(clamp);
    } else {
      c.fill(cell, row);
    }
    r.append(cell);
  }
  return r;
}
