// Suggestions under a text input (the issuer from the directory, the document type): typing shows up to
// eight matches, ↓/↑ move through them, Enter or Tab takes the highlighted one, Escape closes the list.
// The list never takes the focus, so the tab order of the form stays the clerk's.

import { el } from "./dom";

export interface Suggestion {
  label: string;
  detail?: string;
  value: unknown;
}

export function attachSuggestions(
  input: HTMLInputElement,
  source: (typed: string) => Promise<Suggestion[]>,
  pick: (s: Suggestion) => void,
): void {
  const list = el("ul", { className: "suggestions", role: "listbox", "data-testid": `${input.dataset.testid ?? "input"}-suggestions`, hidden: true });
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.insertAdjacentElement("afterend", list);
  let items: Suggestion[] = [];
  let active = -1;
  let timer = 0;
  let asked = 0;

  function close(): void {
    list.hidden = true;
    active = -1;
    input.setAttribute("aria-expanded", "false");
  }

  function draw(): void {
    list.replaceChildren(
      ...items.map((s, i) => {
        const li = el("li", { role: "option", className: i === active ? "active" : "", "aria-selected": String(i === active) }, s.label);
        if (s.detail) li.append(el("span", { className: "detail" }, s.detail));
        li.addEventListener("mousedown", (e) => {
          e.preventDefault();
          choose(i);
        });
        return li;
      }),
    );
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", String(!list.hidden));
  }

  function choose(i: number): void {
    const s = items[i];
    if (!s) return;
    pick(s);
    close();
  }

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    const typed = input.value;
    timer = window.setTimeout(() => {
      const ticket = ++asked;
      source(typed).then(
        (found) => {
          if (ticket !== asked || document.activeElement !== input) return;
          items = found.filter((s) => s.label !== typed);
          active = -1;
          draw();
        },
        () => close(),
      );
    }, 150);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      event.stopPropagation();
      const n = items.length;
      active = event.key === "ArrowDown" ? (active + 1) % n : (active - 1 + n) % n;
      draw();
    } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
      if (event.key === "Enter") event.preventDefault();
      event.stopPropagation();
      choose(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  input.addEventListener("blur", () => window.setTimeout(close, 100));
}

/** Common types (Decree 30 App. III), for the type field's suggestions. */
export const DOCUMENT_TYPES = [
  "Công văn", "Quyết định", "Tờ trình", "Báo cáo", "Kế hoạch", "Thông báo", "Giấy mời", "Nghị quyết", "Chỉ thị",
  "Hướng dẫn", "Chương trình", "Phương án", "Đề án", "Dự án", "Biên bản", "Hợp đồng", "Công điện", "Quy chế",
  "Quy định", "Thông cáo", "Bản ghi nhớ", "Bản thỏa thuận", "Giấy ủy quyền", "Giấy giới thiệu", "Giấy nghỉ phép",
  "Phiếu gửi", "Phiếu chuyển", "Phiếu báo",
];

/** Folds Vietnamese for matching typed text: no diacritics, đ → d, lower case. */
export function fold(s: string): string {
  return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d").toLowerCase();
}

export function typeSuggestions(typed: string): Promise<Suggestion[]> {
  const t = fold(typed.trim());
  return Promise.resolve(
    DOCUMENT_TYPES.filter((x) => t === "" || fold(x).includes(t))
      .slice(0, 8)
      .map((x) => ({ label: x, value: x })),
  );
}
