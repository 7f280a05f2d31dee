// Typed calls to the Tauri shell. The argument and result types are generated from the Rust DTOs
// (src-tauri/src/dto.rs → ui/src/bindings); this file only names the commands.
//
// Errors the whole window acts on (the session ended, a password must be changed) are reported to one
// listener (`onSessionProblem`), set by the shell, which shows the sign-in or change-password screen.

import { invoke } from "@tauri-apps/api/core";
import type { Account } from "./bindings/Account";
import type { Agency } from "./bindings/Agency";
import type { DocumentExchange } from "./bindings/DocumentExchange";
import type { ExchangeOverview } from "./bindings/ExchangeOverview";
import type { HubAccount } from "./bindings/HubAccount";
import type { InboxItem } from "./bindings/InboxItem";
import type { OutboxMessage } from "./bindings/OutboxMessage";
import type { RegisterFromInbox } from "./bindings/RegisterFromInbox";
import type { SetHubAccount } from "./bindings/SetHubAccount";
import type { ArchiveCopy } from "./bindings/ArchiveCopy";
import type { Draft } from "./bindings/Draft";
import type { DraftPage } from "./bindings/DraftPage";
import type { ImportOutcome } from "./bindings/ImportOutcome";
import type { PrintDocument } from "./bindings/PrintDocument";
import type { PrintJob } from "./bindings/PrintJob";
import type { Printer } from "./bindings/Printer";
import type { ScanFolder } from "./bindings/ScanFolder";
import type { ScanOutcome } from "./bindings/ScanOutcome";
import type { Scanner } from "./bindings/Scanner";
import type { ScanToQueue } from "./bindings/ScanToQueue";
import type { SetScanFolder } from "./bindings/SetScanFolder";
import type { StampLayout } from "./bindings/StampLayout";
import type { StampRequest } from "./bindings/StampRequest";
import type { AppStatus } from "./bindings/AppStatus";
import type { CertificateView } from "./bindings/CertificateView";
import type { CrlRefresh } from "./bindings/CrlRefresh";
import type { CrlView } from "./bindings/CrlView";
import type { SealSetting } from "./bindings/SealSetting";
import type { SetSeal } from "./bindings/SetSeal";
import type { SignatureReport } from "./bindings/SignatureReport";
import type { SignatureVerdict } from "./bindings/SignatureVerdict";
import type { SignDocument } from "./bindings/SignDocument";
import type { SignedCopy } from "./bindings/SignedCopy";
import type { SignOutcome } from "./bindings/SignOutcome";
import type { StoredTokenPreferences } from "./bindings/StoredTokenPreferences";
import type { TimestampRun } from "./bindings/TimestampRun";
import type { TokenPlace } from "./bindings/TokenPlace";
import type { TokenPreferences } from "./bindings/TokenPreferences";
import type { AssignHandling } from "./bindings/AssignHandling";
import type { BackupMade } from "./bindings/BackupMade";
import type { BackupSchedule } from "./bindings/BackupSchedule";
import type { BackupStatus } from "./bindings/BackupStatus";
import type { CalendarSettings } from "./bindings/CalendarSettings";
import type { CaseFile } from "./bindings/CaseFile";
import type { CaseFileDetail } from "./bindings/CaseFileDetail";
import type { CaseFileInput } from "./bindings/CaseFileInput";
import type { CommandError } from "./bindings/CommandError";
import type { Dashboard } from "./bindings/Dashboard";
import type { DocumentDetail } from "./bindings/DocumentDetail";
import type { DuplicateOf } from "./bindings/DuplicateOf";
import type { ExportFormat } from "./bindings/ExportFormat";
import type { Exported } from "./bindings/Exported";
import type { Filter } from "./bindings/Filter";
import type { Handling } from "./bindings/Handling";
import type { HandlingStatus } from "./bindings/HandlingStatus";
import type { IncomingForm } from "./bindings/IncomingForm";
import type { IncomingRegistered } from "./bindings/IncomingRegistered";
import type { InitOrganisation } from "./bindings/InitOrganisation";
import type { ListRegister } from "./bindings/ListRegister";
import type { NewAccount } from "./bindings/NewAccount";
import type { NewUnit } from "./bindings/NewUnit";
import type { Organ } from "./bindings/Organ";
import type { Organisation } from "./bindings/Organisation";
import type { OutgoingForm } from "./bindings/OutgoingForm";
import type { OutgoingPreview } from "./bindings/OutgoingPreview";
import type { OutgoingRegistered } from "./bindings/OutgoingRegistered";
import type { Person } from "./bindings/Person";
import type { PrintRegister } from "./bindings/PrintRegister";
import type { RegisterPage } from "./bindings/RegisterPage";
import type { RegisterRow } from "./bindings/RegisterRow";
import type { ReplyAwaited } from "./bindings/ReplyAwaited";
import type { Restored } from "./bindings/Restored";
import type { ResultColumn } from "./bindings/ResultColumn";
import type { SavedSearch } from "./bindings/SavedSearch";
import type { SaveSearch } from "./bindings/SaveSearch";
import type { SearchRegister } from "./bindings/SearchRegister";
import type { SecurityPolicy } from "./bindings/SecurityPolicy";
import type { SessionInfo } from "./bindings/SessionInfo";
import type { Setup } from "./bindings/Setup";
import type { SeriesState } from "./bindings/SeriesState";
import type { Unit } from "./bindings/Unit";
import type { UpdateAccount } from "./bindings/UpdateAccount";

/** A command's rejection, always `{code, message}` with a Vietnamese message. */
export class ApiFailure extends Error {
  readonly code: string;
  readonly details: DuplicateOf | undefined;

  constructor(error: CommandError) {
    super(error.message);
    this.code = error.code;
    this.details = error.details;
  }
}

/** Codes after which the window must show the sign-in or change-password screen. */
export const SESSION_CODES = ["not_signed_in", "session_expired", "password_change_required"];

let sessionListener: ((failure: ApiFailure) => void) | null = null;

/** Who is told when the session ends or a password change is required. */
export function onSessionProblem(listener: (failure: ApiFailure) => void): void {
  sessionListener = listener;
}

function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as CommandError).code === "string" &&
    typeof (value as CommandError).message === "string"
  );
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    const failure = isCommandError(error)
      ? new ApiFailure(error)
      : new ApiFailure({ code: "ipc", message: `Không gọi được chức năng “${command}”: ${String(error)}` });
    if (SESSION_CODES.includes(failure.code) && command !== "sign_in" && command !== "change_password") {
      sessionListener?.(failure);
    }
    throw failure;
  }
}

/** The message of any error, for the clerk. */
export function messageOf(error: unknown): string {
  return error instanceof ApiFailure ? error.message : String(error);
}

export const api = {
  // Digitising: the review queue, the arrival stamp, printing.
  scanners: () => call<Scanner[]>("scanners"),
  scanToQueue: (input: ScanToQueue) => call<ScanOutcome>("scan_to_queue", input),
  captureFiles: (paths: string[]) => call<ImportOutcome>("capture_files", { paths }),
  drafts: () => call<Draft[]>("drafts"),
  draftPages: (draftId: number) => call<DraftPage[]>("draft_pages", { draftId }),
  pageImage: (pageId: number, thumbnail: boolean) => call<ArrayBuffer>("page_image", { pageId, thumbnail }),
  rotatePage: (pageId: number, turns: number) => call<number>("rotate_page", { pageId, turns }),
  deletePage: (pageId: number) => call<void>("delete_page", { pageId }),
  movePage: (pageId: number, position: number) => call<void>("move_page", { pageId, position }),
  splitBefore: (pageId: number) => call<number>("split_before", { pageId }),
  splitAtBlanks: (draftId: number) => call<number[]>("split_at_blanks", { draftId }),
  removeBlankPages: (draftId: number) => call<number>("remove_blank_pages", { draftId }),
  joinDrafts: (into: number, from: number) => call<void>("join_drafts", { into, from }),
  discardDraft: (draftId: number) => call<void>("discard_draft", { draftId }),
  draftPdfBytes: (draftId: number) => call<ArrayBuffer>("draft_pdf_bytes", { draftId }),
  renderPage: (sha256: string, page: number, width: number) => call<ArrayBuffer>("render_page", { sha256, page, width }),
  stampLayout: (id: string) => call<StampLayout>("stamp_layout", { id }),
  stampArchiveCopy: (input: StampRequest) => call<ArchiveCopy>("stamp_archive_copy", input),
  separatorSheet: () => call<string>("separator_sheet"),
  printers: () => call<Printer[]>("printers"),
  printDocument: (input: PrintDocument) => call<PrintJob>("print_document", input),
  scanFolder: () => call<ScanFolder>("scan_folder"),
  setScanFolder: (input: SetScanFolder) => call<ScanFolder>("set_scan_folder", input),
  // Signatures: verify an arrival before registering it, sign with the organisation's token, trust.
  verifyFile: (path: string) => call<SignatureReport>("verify_file", { path }),
  signatureVerdicts: (id: string) => call<SignatureVerdict[]>("signature_verdicts", { id }),
  // The PIN travels in this one call only.
  signDocument: (input: SignDocument) => call<SignOutcome>("sign_document", input),
  signedCopies: (id: string) => call<SignedCopy[]>("signed_copies", { id }),
  upgradeTimestamps: (tsaUrl: string) => call<TimestampRun>("upgrade_timestamps", { tsaUrl }),
  trustAnchors: () => call<CertificateView[]>("trust_anchors"),
  importTrustAnchors: (path: string) => call<CertificateView[]>("import_trust_anchors", { path }),
  removeTrustAnchor: (sha256: string) => call<boolean>("remove_trust_anchor", { sha256 }),
  crls: () => call<CrlView[]>("crls"),
  importCrl: (path: string) => call<CrlView>("import_crl", { path }),
  refreshCrls: () => call<CrlRefresh>("refresh_crls"),
  seal: () => call<SealSetting | null>("seal"),
  sealImage: () => call<ArrayBuffer>("seal_image"),
  setSeal: (input: SetSeal) => call<SealSetting>("set_seal", input),
  tokenPreferences: () => call<StoredTokenPreferences | null>("token_preferences"),
  setTokenPreferences: (input: TokenPreferences) => call<TokenPlace>("set_token_preferences", input),
  // Exchange with the document hub: the backend's worker sends and receives; these read and queue.
  exchangeOverview: () => call<ExchangeOverview>("exchange_overview"),
  syncNow: () => call<void>("sync_now"),
  hubAccount: () => call<HubAccount | null>("hub_account"),
  // The hub's secret travels in this one call only.
  setHubAccount: (input: SetHubAccount) => call<HubAccount>("set_hub_account", input),
  hubAgencies: () => call<Agency[]>("hub_agencies"),
  sendOutgoing: (id: string, to: string[]) => call<OutboxMessage>("send_outgoing", { id, to }),
  inbox: (all: boolean) => call<InboxItem[]>("inbox", { all }),
  registerFromInbox: (input: RegisterFromInbox) => call<IncomingRegistered>("register_from_inbox", input),
  rejectInbox: (inboxId: number, reason: string) => call<InboxItem>("reject_inbox", { inboxId, reason }),
  retryMessage: (messageId: number) => call<void>("retry_message", { messageId }),
  documentExchange: (id: string) => call<DocumentExchange>("document_exchange", { id }),
  appStatus: () => call<AppStatus>("app_status"),
  initOrganisation: (input: InitOrganisation) => call<Organisation>("init_organisation", input),
  setup: (input: Setup) => call<Organisation>("setup", input),
  signIn: (username: string, password: string) => call<SessionInfo>("sign_in", { username, password }),
  signOut: () => call<void>("sign_out"),
  changePassword: (oldPassword: string, newPassword: string) =>
    call<void>("change_password", { oldPassword, newPassword }),
  listRegister: (input: ListRegister) => call<RegisterPage>("list_register", input),
  searchRegister: (input: SearchRegister) => call<RegisterPage>("search_register", input),
  findRegister: (filter: Filter, page: number, pageSize: number) =>
    call<RegisterPage>("find_register", { filter, page, pageSize }),
  registerIncoming: (input: IncomingForm) => call<IncomingRegistered>("register_incoming", input),
  previewOutgoing: (input: OutgoingForm) => call<OutgoingPreview>("preview_outgoing", input),
  registerOutgoing: (input: OutgoingForm) => call<OutgoingRegistered>("register_outgoing", input),
  showDocument: (id: string) => call<DocumentDetail>("show_document", { id }),
  cancelDocument: (id: string, reason: string) => call<RegisterRow>("cancel_document", { id, reason }),
  recallDocument: (id: string, reason: string) => call<RegisterRow>("recall_document", { id, reason }),
  suggestOrgans: (typed: string, limit: number) => call<Organ[]>("suggest_organs", { typed, limit }),
  assignHandling: (input: AssignHandling) => call<Handling>("assign_handling", input),
  reportProgress: (id: string, status: HandlingStatus, note: string) =>
    call<Handling>("report_progress", { id, status, note }),
  suggestDeadline: (workingDays: number) => call<string>("suggest_deadline", { workingDays }),
  dashboard: () => call<Dashboard>("dashboard"),
  units: () => call<Unit[]>("units"),
  series: (year: number) => call<SeriesState[]>("series", { year }),
  people: () => call<Person[]>("people"),
  repliesAwaited: (days: number) => call<ReplyAwaited[]>("replies_awaited", { days }),
  recordReply: (incoming: string, outgoing: string) => call<RegisterRow>("record_reply", { incoming, outgoing }),
  addUnit: (input: NewUnit) => call<Unit>("add_unit", input),
  accounts: () => call<Account[]>("accounts"),
  createAccount: (input: NewAccount) => call<Account>("create_account", input),
  updateAccount: (input: UpdateAccount) => call<Account>("update_account", input),
  resetPassword: (id: number, temporary: string) => call<void>("reset_password", { id, temporary }),
  securityPolicy: () => call<SecurityPolicy>("security_policy"),
  setSecurityPolicy: (input: SecurityPolicy) => call<void>("set_security_policy", input),
  calendarSettings: () => call<CalendarSettings>("calendar_settings"),
  setCalendarSettings: (input: CalendarSettings) => call<void>("set_calendar_settings", input),
  caseFiles: (year: number | null) => call<CaseFile[]>("case_files", { year }),
  caseFilesDue: () => call<CaseFile[]>("case_files_due"),
  openCaseFile: (input: CaseFileInput) => call<CaseFile>("open_case_file", input),
  caseFile: (id: number) => call<CaseFileDetail>("case_file", { id }),
  addToCaseFile: (file: number, document: string) => call<CaseFile>("add_to_case_file", { file, document }),
  removeFromCaseFile: (file: number, document: string) =>
    call<CaseFile>("remove_from_case_file", { file, document }),
  closeCaseFile: (id: number) => call<CaseFile>("close_case_file", { id }),
  savedSearches: () => call<SavedSearch[]>("saved_searches"),
  saveSearch: (input: SaveSearch) => call<SavedSearch>("save_search", input),
  deleteSavedSearch: (id: number) => call<void>("delete_saved_search", { id }),
  backupStatus: () => call<BackupStatus>("backup_status"),
  backupNow: (folder: string) => call<BackupMade>("backup_now", { folder }),
  setBackupSchedule: (input: BackupSchedule) => call<void>("set_backup_schedule", input),
  restoreBackup: (folder: string) => call<Restored>("restore_backup", { folder }),
  readPickedFile: (path: string) => call<ArrayBuffer>("read_picked_file", { path }),
  storedFileBytes: (sha256: string) => call<ArrayBuffer>("stored_file_bytes", { sha256 }),
  openStoredFile: (sha256: string) => call<string>("open_stored_file", { sha256 }),
  openExport: (path: string) => call<void>("open_export", { path }),
  printRegister: (input: PrintRegister) => call<Exported>("print_register", input),
  printHandlingSlip: (id: string) => call<Exported>("print_handling_slip", { id }),
  exportCaseFile: (id: number, format: ExportFormat) => call<Exported>("export_case_file", { id, format }),
  exportResults: (filter: Filter, columns: string[], format: ExportFormat) =>
    call<Exported>("export_results", { filter, columns, format }),
  resultColumns: () => call<ResultColumn[]>("result_columns"),
};
