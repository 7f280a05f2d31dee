// A tiny element builder: properties and attributes in one object, children as nodes or text.
// Text always becomes a Text node (never HTML), so register data cannot inject markup.
// Plus the few form pieces every screen uses: a labelled field with its hint and its error line, a
// select, and a modal dialog that Escape closes.

type Props = Record<string, string | number | boolean | undefined | null>;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key.includes("-") || key === "role") node.setAttribute(key, String(value));
    else (node as unknown as Record<string, unknown>)[key] = value;
  }
  node.append(...children);
  return node;
}

/** A labelled input with a hint and an error line (`<testid>-error`). */
export interface Field {
  box: HTMLElement;
  input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  error: HTMLElement;
  setError: (message: string) => void;
}

let fieldSeq = 0;

export function field(
  label: string,
  input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint = "",
  className = "",
): Field {
  fieldSeq += 1;
  if (!input.id) input.id = `f${fieldSeq}`;
  const testid = input.dataset.testid ?? input.id;
  const error = el("div", { className: "field-error", id: `${input.id}-error`, "data-testid": `${testid}-error` });
  const hintEl = hint ? el("div", { className: "hint", id: `${input.id}-hint` }, hint) : null;
  input.setAttribute("aria-describedby", `${hint ? `${input.id}-hint ` : ""}${input.id}-error`);
  const box = el("div", { className: `field ${className}`.trim() }, el("label", { htmlFor: input.id }, label), input);
  if (hintEl) box.append(hintEl);
  box.append(error);
  return {
    box,
    input,
    error,
    setError: (message: string) => {
      error.textContent = message;
      input.setAttribute("aria-invalid", String(message !== ""));
    },
  };
}

export function textInput(testid: string, props: Props = {}): HTMLInputElement {
  return el("input", { type: "text", autocomplete: "off", spellcheck: false, "data-testid": testid, ...props });
}

export function select(testid: string, options: [string, string][], value = ""): HTMLSelectElement {
  const s = el("select", { "data-testid": testid });
  for (const [v, label] of options) s.append(el("option", { value: v, selected: v === value }, label));
  return s;
}

/** A button with its keyboard shortcut shown ("Lưu (Ctrl+Enter)"). */
export function button(label: string, testid: string, opts: { shortcut?: string; primary?: boolean; type?: "submit" | "button" } = {}): HTMLButtonElement {
  const b = el(
    "button",
    { type: opts.type ?? "button", className: opts.primary ? "primary" : "secondary", "data-testid": testid },
    label,
  );
  if (opts.shortcut) {
    b.append(" ", el("kbd", {}, opts.shortcut));
    b.setAttribute("aria-keyshortcuts", opts.shortcut);
  }
  return b;
}

/** Ctrl+Enter anywhere in `form` submits it (the shortcut its primary button shows). */
export function submitOnCtrlEnter(form: HTMLFormElement): void {
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.ctrlKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}

/** A modal dialog: Escape or the close button closes it; focus returns where it was. */
export function modal(title: string, testid: string, ...content: Node[]): { box: HTMLElement; close: () => void; closed: Promise<void> } {
  const previous = document.activeElement as HTMLElement | null;
  const close = button("Đóng", `${testid}-close`, { shortcut: "Esc" });
  const box = el(
    "div",
    { className: "modal", role: "dialog", "aria-modal": "true", "aria-label": title, "data-testid": testid, tabIndex: -1 },
    el("div", { className: "modal-head" }, el("h2", {}, title), close),
    el("div", { className: "modal-body" }, ...content),
  );
  const backdrop = el("div", { className: "backdrop" }, box);
  let resolve: () => void = () => {};
  const closed = new Promise<void>((r) => (resolve = r));
  const onKey = (event: KeyboardEvent) => {
    if (!backdrop.isConnected || !isTopmost(backdrop)) return;
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopImmediatePropagation();
      done();
    } else if (event.key === "Tab") {
      // Tab stays inside the dialog: from the last control back to the first, and the other way.
      const focusable = Array.from(
        box.querySelectorAll<HTMLElement>("input, select, textarea, button, [tabindex]:not([tabindex='-1'])"),
      ).filter((e) => !e.hasAttribute("disabled") && e.offsetParent !== null);
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (!first || !last) return;
      const inside = box.contains(document.activeElement);
      if (event.shiftKey && (document.activeElement === first || !inside)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
        event.preventDefault();
        first.focus();
      }
    }
  };
  function done(): void {
    document.removeEventListener("keydown", onKey, true);
    backdrop.remove();
    previous?.focus?.();
    resolve();
  }
  close.addEventListener("click", done);
  document.addEventListener("keydown", onKey, true);
  document.body.append(backdrop);
  // The dialog has the focus until a form inside it moves it to its first field.
  box.focus();
  return { box, close: done, closed };
}

function isTopmost(backdrop: HTMLElement): boolean {
  const all = document.querySelectorAll(".backdrop");
  return all[all.length - 1] === backdrop;
}

/** Whether a modal dialog is open (screens ignore their own shortcuts then). */
export function modalOpen(): boolean {
  return document.querySelector(".backdrop") !== null;
}

/** Whether a key event is the letter or digit `k` (by position, or by character when the position is unknown). */
export function keyIs(event: KeyboardEvent, k: string): boolean {
  const code = /\d/.test(k) ? `Digit${k}` : `Key${k.toUpperCase()}`;
  return event.code === code || event.key.toLowerCase() === k.toLowerCase();
}
