// Digital signatures (domain §7), in three places:
// - the verdict on an arriving PDF's signatures, shown in the incoming form before anything is saved
//   and kept with the document (its detail shows it again): signer, signing time, integrity, trust,
//   coverage, later changes, the verdict and its reason, in Vietnamese (Circular 15/2025);
// - signing a registered document with the organisation's token: "Ký số" (an outgoing document: its
//   number and date from the register, the seal from the settings) and "Ký sao y" (a copy of any
//   document). The PIN is typed in the dialog, sent with that one call and never kept: the field is
//   emptied as soon as it is read, and the dialog forgets it on close;
// - "Chữ ký số" settings: the token (PKCS#11 library, labels, timestamp authority — never the PIN), the
//   seal image at its real size (administrators), the trust anchors and the CRLs.

import { open } from "@tauri-apps/plugin-dialog";
import { api, ApiFailure, messageOf } from "./api";
import type { SignatureCheck } from "./bindings/SignatureCheck";
import type { SignatureReport } from "./bindings/SignatureReport";
import type { SignedCopy } from "./bindings/SignedCopy";
import type { SignProfile } from "./bindings/SignProfile";
import { button, el, field, keyIs, modal, textInput } from "./dom";
import { SIGN_PROFILE_LABEL, VERDICT_LABEL } from "./labels";
import type { Desk } from "./shell";

/** "2026-03-02T08:30:00+07:00" → "02/03/2026 08:30" (as written: Vietnam time). */
export function signingTime(value: string | null | undefined): string {
  if (!value) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  return m ? `${m[3]}/${m[2]}/${m[1]} ${m[4]}:${m[5]}` : value;
}

const TIME_SOURCE: Record<string, string> = {
  timestamp: "theo dấu thời gian",
  signed_attribute: "theo thuộc tính đã ký",
  claimed: "do tệp ghi, chưa được chứng thực",
  none: "",
};

function signatureItem(s: SignatureCheck, index: number): HTMLElement {
  const when = signingTime(s.signingTime);
  const source = TIME_SOURCE[s.timeSource] ?? "";
  const rows: [string, string, string][] = [
    ["Người ký", s.signer ?? "Không đọc được", "sig-signer"],
    ["Thời điểm ký", when ? `${when}${source ? ` (${source})` : ""}` : "Không rõ", "sig-time"],
    ["Toàn vẹn", s.intact ? "Toàn vẹn" : "Bị sửa đổi", "sig-integrity"],
    ["Tin cậy", s.trusted ? "Tin cậy" : "Không xác định được", "sig-trust"],
    ["Phạm vi", s.coversWholeFile ? "Toàn bộ tệp" : "Một phần tệp (có nội dung thêm sau khi ký)", "sig-coverage"],
    ["Sửa đổi sau khi ký", s.modifications.length > 0 ? s.modifications.join("; ") : "Không có", "sig-modifications"],
    ["Kết luận", VERDICT_LABEL[s.verdict], "sig-item-verdict"],
  ];
  if (s.reason) rows.push(["Lý do", s.reason, "sig-reason"]);
  if (s.timestamp) rows.push(["Dấu thời gian", signingTime(s.timestamp), "sig-timestamp"]);
  const list = el("dl", { className: "kv" });
  for (const [k, v, testid] of rows) list.append(el("dt", {}, k), el("dd", { "data-testid": testid }, v));
  return el(
    "div",
    { className: `sig-item verdict-${s.verdict}`, "data-testid": "sig-item", "data-verdict": s.verdict },
    el("strong", {}, `Chữ ký ${index + 1}${s.page ? ` (trang ${s.page})` : ""} — ${s.field}`),
    list,
  );
}

/** Every signature of a file, and the file's verdict. */
export function verdictPanel(report: SignatureReport, testid = "sig-report"): HTMLElement {
  const box = el(
    "div",
    { className: `sig-report verdict-${report.verdict}`, "data-testid": testid, "data-verdict": report.verdict, role: "status" },
    el(
      "div",
      { className: "sig-head" },
      el("span", {}, "Kiểm tra chữ ký số: "),
      el("strong", { className: `sig-verdict verdict-${report.verdict}`, "data-testid": "sig-verdict" }, VERDICT_LABEL[report.verdict]),
    ),
    el("div", { className: "hint", "data-testid": "sig-summary" }, report.summary),
  );
  report.signatures.forEach((s, i) => box.append(signatureItem(s, i)));
  return box;
}

// ---------------------------------------------------------------------------------------------
// The files signed with the organisation's key, and the verdicts kept with a document.

function copyLine(c: SignedCopy, desk: Desk): HTMLElement {
  const openIt = button("Mở", "signed-open");
  openIt.addEventListener("click", () =>
    void api.openStoredFile(c.upgradedSha256 ?? c.sha256).then((p) => desk.toast(`Đã mở ${p}`), (e: unknown) => desk.toast(messageOf(e))),
  );
  const stamp = c.timestampAt ? `dấu thời gian ${signingTime(c.timestampAt)}` : "chưa có dấu thời gian";
  return el(
    "li",
    { "data-testid": "signed-copy", "data-sha256": c.upgradedSha256 ?? c.sha256, "data-profile": c.profile },
    el("span", {}, `${SIGN_PROFILE_LABEL[c.profile]} · ký ${signingTime(c.signedAt)} bởi ${c.signedBy} · ${stamp} `),
    openIt,
  );
}

/** The signed copies of a document, with "Mở" each; filled when they arrive. */
export function signedCopiesList(id: string, desk: Desk): HTMLElement {
  const list = el("ul", { className: "lines", "data-testid": "signed-copies" }, el("li", { className: "hint" }, "Đang tải…"));
  void api.signedCopies(id).then(
    (copies) => {
      list.replaceChildren(...copies.map((c) => copyLine(c, desk)));
      if (copies.length === 0) list.append(el("li", { className: "hint", "data-testid": "signed-none" }, "Chưa ký số bằng khóa của cơ quan."));
    },
    (e: unknown) => list.replaceChildren(el("li", { className: "form-error" }, messageOf(e))),
  );
  return list;
}

/** The detail's "Chữ ký số" section: the verdicts kept (incoming) and the signed copies. */
export function signaturesSection(id: string, incoming: boolean, desk: Desk): HTMLElement {
  const box = el("section", { "data-testid": "detail-signatures" }, el("h4", {}, "Chữ ký số"));
  if (incoming) {
    const verdicts = el("div", { "data-testid": "detail-verdicts" }, el("p", { className: "hint" }, "Đang tải…"));
    box.append(verdicts);
    void api.signatureVerdicts(id).then(
      (kept) => {
        verdicts.replaceChildren();
        if (kept.length === 0) verdicts.append(el("p", { className: "hint", "data-testid": "verdict-none" }, "Không kiểm tra chữ ký khi đăng ký (văn bản giấy hoặc tệp không có chữ ký)."));
        for (const v of kept) {
          const panel = verdictPanel(v.report, "detail-verdict");
          panel.prepend(el("div", { className: "hint" }, `Kiểm tra lúc ${signingTime(v.verifiedAt)} khi đăng ký`));
          if (v.overrideReason) {
            panel.append(el("div", { className: "sig-override", "data-testid": "verdict-override" }, `Vẫn đăng ký với lý do: ${v.overrideReason} (${v.overriddenBy ?? ""})`));
          }
          verdicts.append(panel);
        }
      },
      (e: unknown) => verdicts.replaceChildren(el("p", { className: "form-error" }, messageOf(e))),
    );
  }
  box.append(el("h5", {}, "Bản đã ký bằng khóa của cơ quan"), signedCopiesList(id, desk));
  return box;
}

// ---------------------------------------------------------------------------------------------
// Signing with the token.

/**
 * The signing dialog: token and key labels and the timestamp authority pre-filled from the stored
 * preferences, the PIN typed (Enter signs). `after` runs once something was signed.
 */
export function openSignDialog(desk: Desk, id: string, profile: SignProfile, after: () => void): void {
  const title = profile === "issued" ? "Ký số văn bản phát hành (khóa của cơ quan)" : "Ký số bản sao y";
  const module = textInput("sign-module", { placeholder: "/usr/lib/…/libpkcs11.so" });
  const token = textInput("sign-token", { placeholder: "Nhãn token" });
  const key = textInput("sign-key", { placeholder: "Nhãn khóa (nếu token có nhiều khóa)" });
  const tsa = textInput("sign-tsa", { placeholder: "http://… (không bắt buộc)" });
  const pin = el("input", { type: "password", autocomplete: "off", "data-testid": "sign-pin" });
  const fModule = field("Thư viện PKCS#11", module, "", "span2");
  const fToken = field("Token", token);
  const fKey = field("Khóa", key);
  const fTsa = field("Máy chủ dấu thời gian", tsa, "", "span2");
  const fPin = field("Mã PIN", pin, "Nhập mỗi lần ký; không bao giờ được lưu.");
  const error = el("div", { className: "form-error", role: "alert", "data-testid": "sign-error" });
  const status = el("div", { "data-testid": "sign-status", role: "status" });
  const submit = button("Ký số", "sign-submit", { primary: true, type: "submit", shortcut: "Enter" });
  const what =
    profile === "issued"
      ? "Ký bằng khóa của cơ quan lên văn bản đã có chữ ký của người có thẩm quyền: số và ngày văn bản lấy từ sổ, hình con dấu từ thiết lập."
      : "Ký bản sao y: dòng “SAO Y”, tên cơ quan và thời điểm ký ở góc trên bên phải trang 1, không có hình dấu.";
  const form = el(
    "form",
    { className: "doc-form", "data-testid": "sign-form", noValidate: true },
    el("p", { className: "hint" }, what),
    error,
    el("div", { className: "form-grid" }, fModule.box, fToken.box, fKey.box, fTsa.box, fPin.box),
    el("div", { className: "actions" }, submit),
    status,
  );
  const body = el("div", { "data-testid": "sign-body" }, form);
  const dialog = modal(title, "sign-dialog", body);
  dialog.box.classList.add("wide");
  // Whatever happens, the PIN does not outlive the dialog.
  void dialog.closed.then(() => (pin.value = ""));

  void api.tokenPreferences().then(
    (stored) => {
      if (!stored) {
        status.textContent = "Chưa lưu thiết lập token: nhập ở đây, hoặc lưu một lần trong Chữ ký số.";
        return;
      }
      const p = stored.preferences;
      if (!module.value) module.value = p.module;
      if (!token.value) token.value = p.tokenLabel;
      if (!key.value) key.value = p.keyLabel ?? "";
      if (!tsa.value) tsa.value = p.tsaUrl ?? "";
    },
    (e: unknown) => (status.textContent = messageOf(e)),
  );

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    for (const f of [fModule, fToken, fPin]) f.setError("");
    if (!module.value.trim()) return void (fModule.setError("Nhập đường dẫn thư viện PKCS#11 của token."), module.focus());
    if (!token.value.trim()) return void (fToken.setError("Nhập nhãn token."), token.focus());
    if (!pin.value) return void (fPin.setError("Nhập mã PIN của token."), pin.focus());
    const request = {
      id,
      profile,
      module: module.value.trim(),
      tokenLabel: token.value.trim(),
      keyLabel: key.value.trim() || undefined,
      tsaUrl: tsa.value.trim() || undefined,
      rsaPss: false,
      pin: pin.value,
    };
    const withTsa = request.tsaUrl !== undefined;
    // Read once, then gone from the page.
    pin.value = "";
    submit.disabled = true;
    status.replaceChildren(el("div", { className: "progress-line" }, el("span", { className: "spinner" }), "Đang ký bằng token…"));
    const call = api.signDocument(request);
    request.pin = "";
    call.then(
      (signed) => {
        status.replaceChildren();
        // Without a timestamp the signature is kept as it is (B-B); with an authority configured the
        // register queues the timestamp for when the network is back.
        const stamp = signed.timestampAt
          ? signingTime(signed.timestampAt)
          : withTsa
            ? "chưa có dấu thời gian, sẽ bổ sung khi có mạng"
            : "không có (chưa cấu hình máy chủ dấu thời gian)";
        const done = button("Đóng", "sign-done", { primary: true, shortcut: "Enter" });
        done.addEventListener("click", () => dialog.close());
        body.replaceChildren(
          el(
            "div",
            { className: "form-notice", "data-testid": "sign-result" },
            el("strong", {}, profile === "issued" ? "Đã ký số văn bản phát hành." : "Đã ký số bản sao y."),
            el(
              "dl",
              { className: "kv" },
              el("dt", {}, "Người ký"), el("dd", { "data-testid": "sign-signer" }, signed.signer),
              el("dt", {}, "Thời điểm ký"), el("dd", { "data-testid": "sign-time" }, signingTime(signed.signedAt)),
              el("dt", {}, "Dấu thời gian"), el("dd", { "data-testid": "sign-timestamp" }, stamp),
              el("dt", {}, "Thuật toán"), el("dd", {}, signed.algorithm),
            ),
          ),
          el("h4", {}, "Các bản đã ký của văn bản"),
          signedCopiesList(id, desk),
          el("div", { className: "actions" }, done),
        );
        done.focus();
        after();
      },
      (e: unknown) => {
        submit.disabled = false;
        status.replaceChildren();
        const code = e instanceof ApiFailure ? e.code : "";
        if (code === "wrong_pin" || code === "token_locked") {
          fPin.setError(messageOf(e));
          pin.focus();
        } else if (code === "token_missing") {
          error.textContent = messageOf(e);
          token.focus();
        } else {
          error.textContent = messageOf(e);
          pin.focus();
        }
      },
    );
  });
  pin.focus();
}

// ---------------------------------------------------------------------------------------------
// "Chữ ký số": the token preferences, the seal, the trust anchors and the CRLs.

/** A path field with its "Chọn tệp…" button (the system's file dialog). */
function pathField(label: string, testid: string, filters: { name: string; extensions: string[] }[], hint = ""): { box: HTMLElement; input: HTMLInputElement } {
  const input = textInput(testid, { placeholder: "/home/vanthu/…" });
  const pick = button("Chọn tệp…", `${testid}-pick`);
  const f = field(label, input, hint, "span2");
  f.box.append(el("div", { className: "row-inline" }, pick));
  pick.addEventListener("click", () => {
    void open({ multiple: false, directory: false, filters }).then(
      (chosen) => {
        if (typeof chosen === "string") input.value = chosen;
        input.focus();
      },
      (e: unknown) => f.setError(messageOf(e)),
    );
  });
  return { box: f.box, input };
}

/** Submits `form` on Enter in any of its text fields. */
function enterSubmits(form: HTMLFormElement): void {
  form.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.target instanceof HTMLInputElement) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
}

function tokenSection(): HTMLElement {
  const module = pathField("Thư viện PKCS#11 (trình điều khiển token)", "tok-module", [{ name: "PKCS#11", extensions: ["so", "dll", "dylib"] }], "Ví dụ /usr/lib/softhsm/libsofthsm2.so hoặc thư viện của nhà cung cấp token.");
  const token = textInput("tok-token", { placeholder: "Nhãn token" });
  const key = textInput("tok-key", { placeholder: "Nhãn khóa ký (nếu có nhiều khóa)" });
  const tsa = textInput("tok-tsa", { placeholder: "http://… (không bắt buộc)" });
  const msg = el("div", { "data-testid": "tok-msg", role: "status" });
  const save = button("Lưu thiết lập token", "tok-save", { primary: true, type: "submit", shortcut: "Enter" });
  const form = el(
    "form",
    { className: "sub-form", "data-testid": "tok-form", noValidate: true },
    el("h3", {}, "Token ký số của cơ quan"),
    el("p", { className: "hint" }, "Mã PIN không bao giờ được lưu: văn thư nhập mỗi lần ký."),
    el("div", { className: "form-grid" }, module.box, field("Nhãn token", token).box, field("Nhãn khóa", key).box, field("Máy chủ dấu thời gian (TSA)", tsa, "", "span2").box),
    el("div", { className: "actions" }, save),
    msg,
  );
  enterSubmits(form);
  void api.tokenPreferences().then(
    (stored) => {
      if (!stored) return;
      module.input.value = stored.preferences.module;
      token.value = stored.preferences.tokenLabel;
      key.value = stored.preferences.keyLabel ?? "";
      tsa.value = stored.preferences.tsaUrl ?? "";
    },
    (e: unknown) => (msg.textContent = messageOf(e)),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    msg.textContent = "";
    save.disabled = true;
    void api
      .setTokenPreferences({ module: module.input.value.trim(), tokenLabel: token.value.trim(), keyLabel: key.value.trim() || undefined, tsaUrl: tsa.value.trim() || undefined })
      .then(
        (place) => (msg.textContent = place === "keyring" ? "Đã lưu thiết lập token (trong kho mật khẩu của máy)." : "Đã lưu thiết lập token (trong sổ đăng ký: máy này không có kho mật khẩu)."),
        (err: unknown) => (msg.textContent = messageOf(err)),
      )
      .finally(() => (save.disabled = false));
  });
  return form;
}

function sealSection(desk: Desk): HTMLElement {
  const current = el("div", { "data-testid": "seal-current" }, "Đang tải…");
  const box = el("section", { className: "sub-form", "data-testid": "seal-section" }, el("h3", {}, "Con dấu (hình ảnh)"), current);
  let url = "";
  const showCurrent = () => {
    void api.seal().then(
      async (s) => {
        if (!s) return void current.replaceChildren(el("p", { className: "hint", "data-testid": "seal-none" }, "Chưa có ảnh con dấu: văn bản phát hành sẽ chỉ có số và ngày."));
        const png = await api.sealImage();
        if (url) URL.revokeObjectURL(url);
        url = URL.createObjectURL(new Blob([png], { type: "image/png" }));
        const px = (mm: number) => Math.round((mm * 96) / 25.4);
        current.replaceChildren(
          el("img", { src: url, alt: "Con dấu", width: px(s.widthMm), height: px(s.heightMm), "data-testid": "seal-image" }),
          el("div", { "data-testid": "seal-size" }, `Kích thước thật ${s.widthMm.toFixed(1)} × ${s.heightMm.toFixed(1)} mm`),
        );
      },
      (e: unknown) => current.replaceChildren(el("p", { className: "form-error" }, messageOf(e))),
    );
  };
  showCurrent();
  if (!desk.can("admin")) {
    box.append(el("p", { className: "hint" }, "Chỉ quản trị viên thay được ảnh con dấu."));
    return box;
  }
  const png = pathField("Ảnh con dấu (PNG nền trong suốt)", "seal-file", [{ name: "PNG", extensions: ["png", "PNG"] }]);
  const width = textInput("seal-width", { inputMode: "decimal", size: 6, placeholder: "36" });
  const height = textInput("seal-height", { inputMode: "decimal", size: 6, placeholder: "36" });
  const msg = el("div", { "data-testid": "seal-msg", role: "status" });
  const save = button("Lưu con dấu", "seal-save", { primary: true, type: "submit", shortcut: "Enter" });
  const form = el(
    "form",
    { noValidate: true, "data-testid": "seal-form" },
    el("div", { className: "form-grid" }, png.box, field("Rộng (mm)", width, "Để trống: theo độ phân giải của ảnh").box, field("Cao (mm)", height).box),
    el("div", { className: "actions" }, save),
    msg,
  );
  enterSubmits(form);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const mm = (v: string) => (v.trim() ? Number(v.trim().replace(",", ".")) : undefined);
    const w = mm(width.value);
    const h = mm(height.value);
    if ((w !== undefined && !Number.isFinite(w)) || (h !== undefined && !Number.isFinite(h))) return void (msg.textContent = "Kích thước phải là số milimét.");
    save.disabled = true;
    void api
      .setSeal({ path: png.input.value.trim(), widthMm: w ?? h, heightMm: h ?? w })
      .then(
        (s) => {
          msg.textContent = `Đã lưu ảnh con dấu (${s.widthMm.toFixed(1)} × ${s.heightMm.toFixed(1)} mm).`;
          showCurrent();
        },
        (err: unknown) => (msg.textContent = messageOf(err)),
      )
      .finally(() => (save.disabled = false));
  });
  box.append(form);
  return box;
}

function trustSection(): HTMLElement {
  const table = el("table", { className: "table", "data-testid": "anchors" });
  const msg = el("div", { "data-testid": "anchor-msg", role: "status" });
  const refresh = () =>
    void api.trustAnchors().then(
      (anchors) => {
        table.replaceChildren(el("tr", {}, el("th", {}, "Chứng thư gốc"), el("th", {}, "Cấp bởi"), el("th", {}, "Hiệu lực đến"), el("th", {}, "")));
        if (anchors.length === 0) table.append(el("tr", {}, el("td", { colSpan: 4, className: "hint" }, "Chưa có chứng thư gốc tin cậy: mọi chữ ký sẽ là “Chưa xác định được”.")));
        for (const a of anchors) {
          const remove = button("Bỏ tin cậy", "anchor-remove");
          remove.addEventListener("click", () => void api.removeTrustAnchor(a.sha256).then(() => refresh(), (e: unknown) => (msg.textContent = messageOf(e))));
          table.append(el("tr", { "data-testid": "anchor-row" }, el("td", {}, a.subject), el("td", {}, a.issuer), el("td", {}, signingTime(a.notAfter)), el("td", {}, remove)));
        }
      },
      (e: unknown) => (msg.textContent = messageOf(e)),
    );
  const file = pathField("Tệp chứng thư (PEM hoặc DER)", "anchor-file", [{ name: "Chứng thư", extensions: ["pem", "crt", "cer", "der"] }]);
  const add = button("Nhập chứng thư gốc", "anchor-import", { primary: true, type: "submit", shortcut: "Enter" });
  const form = el("form", { noValidate: true, "data-testid": "anchor-form" }, file.box, el("div", { className: "actions" }, add), msg);
  enterSubmits(form);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    msg.textContent = "";
    void api.importTrustAnchors(file.input.value.trim()).then(
      (added) => {
        msg.textContent = `Đã nhập ${added.length} chứng thư gốc: ${added.map((a) => a.subject).join("; ")}.`;
        file.input.value = "";
        refresh();
      },
      (err: unknown) => (msg.textContent = messageOf(err)),
    );
  });
  refresh();
  return el("section", { className: "sub-form", "data-testid": "trust-section" }, el("h3", {}, "Chứng thư gốc tin cậy"), table, form);
}

function crlSection(): HTMLElement {
  const table = el("table", { className: "table", "data-testid": "crls" });
  const msg = el("div", { "data-testid": "crl-msg", role: "status" });
  const refreshList = () =>
    void api.crls().then(
      (crls) => {
        table.replaceChildren(el("tr", {}, el("th", {}, "Cơ quan cấp"), el("th", {}, "Ban hành"), el("th", {}, "Lần cập nhật tới"), el("th", {}, "Nguồn")));
        if (crls.length === 0) table.append(el("tr", {}, el("td", { colSpan: 4, className: "hint" }, "Chưa có danh sách thu hồi: chưa kiểm tra được chứng thư bị thu hồi.")));
        for (const c of crls) {
          table.append(el("tr", { "data-testid": "crl-row" }, el("td", {}, c.issuer), el("td", {}, signingTime(c.thisUpdate)), el("td", {}, signingTime(c.nextUpdate) || "—"), el("td", {}, c.source === "import" ? "Nhập từ tệp" : c.source)));
        }
      },
      (e: unknown) => (msg.textContent = messageOf(e)),
    );
  const file = pathField("Tệp CRL", "crl-file", [{ name: "CRL", extensions: ["crl", "der", "pem"] }]);
  const add = button("Nhập CRL", "crl-import", { primary: true, type: "submit", shortcut: "Enter" });
  const update = button("Cập nhật CRL", "crl-refresh", { shortcut: "Alt+U" });
  const form = el("form", { noValidate: true, "data-testid": "crl-form" }, file.box, el("div", { className: "actions" }, add, update), msg);
  enterSubmits(form);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    msg.textContent = "";
    void api.importCrl(file.input.value.trim()).then(
      (c) => {
        msg.textContent = `Đã nhập danh sách thu hồi của ${c.issuer}.`;
        file.input.value = "";
        refreshList();
      },
      (err: unknown) => (msg.textContent = messageOf(err)),
    );
  });
  update.addEventListener("click", () => {
    update.disabled = true;
    msg.replaceChildren(el("div", { className: "progress-line" }, el("span", { className: "spinner" }), "Đang tải danh sách thu hồi…"));
    void api
      .refreshCrls()
      .then(
        (r) => {
          const failed = r.failed.map((f) => `${f.url}: ${f.message}`).join("; ");
          msg.textContent =
            r.fetched.length === 0 && r.failed.length === 0
              ? "Các chứng thư đã biết không ghi địa chỉ CRL nào."
              : `Đã cập nhật ${r.fetched.length} danh sách thu hồi.${failed ? ` Không tải được (thử lại khi có mạng): ${failed}` : ""}`;
          refreshList();
        },
        (err: unknown) => (msg.textContent = messageOf(err)),
      )
      .finally(() => (update.disabled = false));
  });
  form.addEventListener("keydown", (e) => {
    if (e.altKey && keyIs(e, "u")) {
      e.preventDefault();
      update.click();
    }
  });
  refreshList();
  return el("section", { className: "sub-form", "data-testid": "crl-section" }, el("h3", {}, "Danh sách chứng thư bị thu hồi (CRL)"), table, form);
}

function timestampSection(): HTMLElement {
  const msg = el("div", { "data-testid": "ts-msg", role: "status" });
  const run = button("Bổ sung dấu thời gian cho các bản đã ký khi mất mạng", "ts-upgrade");
  run.addEventListener("click", () => {
    run.disabled = true;
    void api
      .tokenPreferences()
      .then((stored) => {
        const url = stored?.preferences.tsaUrl;
        if (!url) throw new Error("Chưa nhập máy chủ dấu thời gian trong thiết lập token.");
        return api.upgradeTimestamps(url);
      })
      .then(
        (r) => (msg.textContent = `Đã bổ sung ${r.done} bản; còn chờ ${r.waiting}.${r.lastError ? ` Lỗi: ${r.lastError}` : ""}`),
        (e: unknown) => (msg.textContent = messageOf(e)),
      )
      .finally(() => (run.disabled = false));
  });
  return el("section", { className: "sub-form" }, el("h3", {}, "Dấu thời gian"), el("div", { className: "actions" }, run), msg);
}

/** The "Chữ ký số" settings (the administration tab, and the clerk's own screen). */
export function signingSettings(body: HTMLElement, desk: Desk): Promise<void> {
  const sections: Node[] = [tokenSection(), sealSection(desk), trustSection(), crlSection()];
  if (desk.can("sign")) sections.push(timestampSection());
  body.replaceChildren(...sections);
  return Promise.resolve();
}

/** The clerk's "Chữ ký số" screen. */
export function showSigning(root: HTMLElement, desk: Desk): void {
  const body = el("div", { className: "admin-body", "data-testid": "signing-settings" });
  root.replaceChildren(el("div", { className: "page scroll-page" }, el("h2", {}, "Chữ ký số"), body));
  void signingSettings(body, desk).catch((e: unknown) => body.replaceChildren(el("div", { className: "form-error", role: "alert" }, messageOf(e))));
}
