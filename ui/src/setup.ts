// First start: the register does not know its organisation yet. The administrator enters it once,
// with its units and their own administrator account; the backend validates everything in one
// transaction (and its message, in Vietnamese, is shown as is) and signs the administrator in.

import { api, messageOf } from "./api";
import type { Organisation } from "./bindings/Organisation";
import { button, el, field, keyIs, textInput, type Field } from "./dom";

interface UnitRow {
  row: HTMLElement;
  abbr: HTMLInputElement;
  name: HTMLInputElement;
}

/** Shows the form; resolves once the organisation is recorded and the administrator signed in. */
export function showSetup(root: HTMLElement): Promise<Organisation> {
  return new Promise((resolve) => {
    const formError = el("div", { className: "form-error", role: "alert", "data-testid": "setup-error" });
    const orgName = field("Tên cơ quan", textInput("org-name", { id: "org-name", placeholder: "Ủy ban nhân dân tỉnh Lào Cai" }), "Tên đầy đủ của cơ quan, tổ chức giữ sổ.");
    const orgId = field("Mã định danh", textInput("org-id", { id: "org-id", placeholder: "000.00.00.H24" }), "Mã định danh điện tử của cơ quan, dùng khi trao đổi văn bản điện tử.");
    const orgAbbr = field("Tên viết tắt", textInput("org-abbr", { id: "org-abbr", placeholder: "UBND" }), "Dùng trong ký hiệu văn bản đi, ví dụ 01/QĐ-UBND.");

    const unitRows: UnitRow[] = [];
    const unitList = el("div", { className: "unit-rows", "data-testid": "unit-rows" });
    const unitsError = el("div", { className: "field-error", "data-testid": "units-error" });
    function addUnit(abbr = "", name = ""): UnitRow {
      const i = unitRows.length;
      const a = textInput(`unit-abbr-${i}`, { placeholder: "VP", value: abbr, "aria-label": "Tên viết tắt của đơn vị" });
      const n = textInput(`unit-name-${i}`, { placeholder: "Văn phòng", value: name, "aria-label": "Tên đơn vị" });
      const remove = button("Bỏ", `unit-remove-${i}`);
      const row = el("div", { className: "unit-row" }, a, n, remove);
      const entry = { row, abbr: a, name: n };
      remove.addEventListener("click", () => {
        unitRows.splice(unitRows.indexOf(entry), 1);
        row.remove();
        addButton.focus();
      });
      unitRows.push(entry);
      unitList.append(row);
      return entry;
    }
    const addButton = button("Thêm đơn vị", "unit-add", { shortcut: "Alt+U" });
    addButton.addEventListener("click", () => addUnit().abbr.focus());
    addUnit("VP", "Văn phòng");

    const adminUser = field("Tên đăng nhập", textInput("admin-username", { placeholder: "quantri" }), "Chữ thường không dấu, số, dấu chấm hoặc gạch dưới.");
    const adminName = field("Họ và tên", textInput("admin-fullname", { placeholder: "Nguyễn Văn A" }));
    const adminPw = field("Mật khẩu", textInput("admin-password", { type: "password", autocomplete: "new-password" }), "Ít nhất 8 ký tự, có cả chữ và số.");
    const adminPw2 = field("Nhập lại mật khẩu", textInput("admin-password2", { type: "password", autocomplete: "new-password" }));

    const submit = button("Bắt đầu sử dụng", "setup-submit", { primary: true, type: "submit", shortcut: "Ctrl+Enter" });
    submit.id = "setup-submit";
    const form = el(
      "form",
      { className: "centered wide", id: "setup-form", "data-testid": "setup-form", noValidate: true },
      el("h1", {}, "Thiết lập sổ đăng ký văn bản"),
      el("p", { className: "lead" }, "Lần đầu sử dụng: nhập thông tin cơ quan giữ sổ, các đơn vị và tài khoản quản trị đầu tiên."),
      formError,
      el("fieldset", {}, el("legend", {}, "Cơ quan"), orgName.box, el("div", { className: "two" }, orgId.box, orgAbbr.box)),
      el(
        "fieldset",
        {},
        el("legend", {}, "Các đơn vị"),
        el("div", { className: "hint" }, "Tên viết tắt dùng cuối ký hiệu công văn, ví dụ 05/UBND-VP."),
        unitList,
        unitsError,
        addButton,
      ),
      el(
        "fieldset",
        {},
        el("legend", {}, "Quản trị viên đầu tiên"),
        el("div", { className: "two" }, adminUser.box, adminName.box),
        el("div", { className: "two" }, adminPw.box, adminPw2.box),
      ),
      el("div", { className: "actions" }, submit),
    );

    form.addEventListener("keydown", (event) => {
      if (event.altKey && keyIs(event, "u")) {
        event.preventDefault();
        addUnit().abbr.focus();
      } else if (event.ctrlKey && event.key === "Enter") {
        event.preventDefault();
        form.requestSubmit();
      }
    });

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      formError.textContent = "";
      const required: [Field, string][] = [
        [orgName, "Vui lòng nhập tên cơ quan."],
        [orgId, "Vui lòng nhập mã định danh."],
        [orgAbbr, "Vui lòng nhập tên viết tắt."],
        [adminUser, "Vui lòng nhập tên đăng nhập."],
        [adminName, "Vui lòng nhập họ và tên."],
        [adminPw, "Vui lòng nhập mật khẩu."],
      ];
      let first: Field | null = null;
      for (const [f, message] of required) {
        const bad = f.input.value.trim() === "";
        f.setError(bad ? message : "");
        if (bad && !first) first = f;
      }
      const mismatch = adminPw.input.value !== adminPw2.input.value;
      adminPw2.setError(mismatch ? "Hai lần nhập mật khẩu không khớp." : "");
      if (mismatch && !first) first = adminPw2;
      const units = unitRows
        .map((u) => ({ abbreviation: u.abbr.value.trim(), name: u.name.value.trim() }))
        .filter((u) => u.abbreviation || u.name);
      const halfUnit = units.find((u) => !u.abbreviation || !u.name);
      unitsError.textContent = halfUnit ? "Mỗi đơn vị cần cả tên viết tắt và tên đầy đủ." : "";
      if (first) return first.input.focus();
      if (halfUnit) return unitRows[0]?.abbr.focus();
      submit.disabled = true;
      submit.setAttribute("aria-busy", "true");
      api
        .setup({
          organisation: { name: orgName.input.value.trim(), orgId: orgId.input.value.trim(), abbreviation: orgAbbr.input.value.trim() },
          units,
          admin: {
            username: adminUser.input.value.trim(),
            fullName: adminName.input.value.trim(),
            password: adminPw.input.value,
          },
        })
        .then(resolve, (error: unknown) => {
          formError.textContent = messageOf(error);
          submit.disabled = false;
          submit.removeAttribute("aria-busy");
          formError.scrollIntoView({ block: "nearest" });
        });
    });

    root.replaceChildren(el("div", { className: "scroll-page" }, form));
    orgName.input.focus();
  });
}
