// First start: the register does not know its organisation yet. The clerk enters it once; the backend
// validates it (and its message, in Vietnamese, is shown as is).

import { api, ApiFailure } from "./api";
import type { Organisation } from "./bindings/Organisation";
import { el } from "./dom";

interface FieldSpec {
  id: string;
  name: "name" | "orgId" | "abbreviation";
  label: string;
  placeholder: string;
  hint: string;
  required: string;
}

const FIELDS: FieldSpec[] = [
  {
    id: "org-name",
    name: "name",
    label: "Tên cơ quan",
    placeholder: "Ủy ban nhân dân tỉnh Lào Cai",
    hint: "Tên đầy đủ của cơ quan, tổ chức giữ sổ.",
    required: "Vui lòng nhập tên cơ quan.",
  },
  {
    id: "org-id",
    name: "orgId",
    label: "Mã định danh",
    placeholder: "000.00.00.H24",
    hint: "Mã định danh điện tử của cơ quan, dùng khi trao đổi văn bản điện tử.",
    required: "Vui lòng nhập mã định danh.",
  },
  {
    id: "org-abbr",
    name: "abbreviation",
    label: "Tên viết tắt",
    placeholder: "UBND",
    hint: "Dùng trong ký hiệu văn bản đi, ví dụ 01/QĐ-UBND.",
    required: "Vui lòng nhập tên viết tắt.",
  },
];

/** Shows the form; resolves once the organisation is recorded. */
export function showSetup(root: HTMLElement): Promise<Organisation> {
  return new Promise((resolve) => {
    const formError = el("div", { className: "form-error", role: "alert", "data-testid": "setup-error" });
    const inputs = new Map<FieldSpec["name"], HTMLInputElement>();
    const fieldErrors = new Map<FieldSpec["name"], HTMLElement>();

    const fields = FIELDS.map((f) => {
      const input = el("input", {
        id: f.id,
        name: f.name,
        type: "text",
        placeholder: f.placeholder,
        autocomplete: "off",
        "data-testid": f.id,
        "aria-describedby": `${f.id}-hint ${f.id}-error`,
      });
      const error = el("div", { id: `${f.id}-error`, className: "field-error", "data-testid": `${f.id}-error` });
      inputs.set(f.name, input);
      fieldErrors.set(f.name, error);
      return el(
        "div",
        { className: "field" },
        el("label", { htmlFor: f.id }, f.label),
        input,
        el("div", { id: `${f.id}-hint`, className: "hint" }, f.hint),
        error,
      );
    });

    const submit = el("button", { type: "submit", className: "primary", id: "setup-submit", "data-testid": "setup-submit" }, "Bắt đầu sử dụng");
    const form = el(
      "form",
      { className: "centered", id: "setup-form", "data-testid": "setup-form", noValidate: true },
      el("h1", {}, "Thiết lập sổ đăng ký văn bản"),
      el("p", { className: "lead" }, "Lần đầu sử dụng: nhập thông tin cơ quan giữ sổ. Thông tin này in trên bìa sổ và trong ký hiệu văn bản."),
      formError,
      ...fields,
      submit,
    );

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      formError.textContent = "";
      const values = { name: "", orgId: "", abbreviation: "" };
      let firstInvalid: HTMLInputElement | null = null;
      for (const f of FIELDS) {
        const input = inputs.get(f.name) as HTMLInputElement;
        const error = fieldErrors.get(f.name) as HTMLElement;
        const value = input.value.trim();
        values[f.name] = value;
        const invalid = value === "";
        error.textContent = invalid ? f.required : "";
        input.setAttribute("aria-invalid", String(invalid));
        if (invalid && !firstInvalid) firstInvalid = input;
      }
      if (firstInvalid) {
        firstInvalid.focus();
        return;
      }
      submit.disabled = true;
      api
        .initOrganisation(values)
        .then(resolve, (error: unknown) => {
          formError.textContent =
            error instanceof ApiFailure ? error.message : `Không lưu được thông tin cơ quan: ${String(error)}`;
          submit.disabled = false;
        });
    });

    root.replaceChildren(form);
    inputs.get("name")?.focus();
  });
}
