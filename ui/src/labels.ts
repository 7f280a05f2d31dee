// Vietnamese words for the codes the backend sends: roles, handling states, history actions.

import type { FileVerdictWord } from "./bindings/FileVerdictWord";
import type { HandlingStatus } from "./bindings/HandlingStatus";
import type { Role } from "./bindings/Role";
import type { SignProfile } from "./bindings/SignProfile";
import type { StatusFilter } from "./bindings/StatusFilter";

export const ROLE_LABEL: Record<Role, string> = {
  clerk: "Văn thư",
  leader: "Lãnh đạo",
  specialist: "Chuyên viên",
  admin: "Quản trị",
};

export const HANDLING_LABEL: Record<HandlingStatus, string> = {
  assigned: "Đã giao",
  "in-progress": "Đang giải quyết",
  done: "Đã giải quyết",
};

export const STATUS_FILTER_LABEL: Record<StatusFilter, string> = {
  unassigned: "Chưa giao",
  assigned: "Đã giao",
  "in-progress": "Đang giải quyết",
  done: "Đã giải quyết",
  overdue: "Quá hạn",
  cancelled: "Đã hủy",
  recalled: "Đã thu hồi",
};

/** The verdict on a PDF's signatures (Circular 15/2025: in Vietnamese). */
export const VERDICT_LABEL: Record<FileVerdictWord, string> = {
  valid: "Hợp lệ",
  indeterminate: "Chưa xác định được",
  invalid: "Không hợp lệ",
  unsigned: "Không có chữ ký số",
};

/** What a file signed with the organisation's key is. */
export const SIGN_PROFILE_LABEL: Record<SignProfile, string> = {
  issued: "Văn bản phát hành",
  copy: "Bản sao y",
  attachment: "Phụ lục",
};

const ACTIONS: Record<string, string> = {
  "incoming.register": "Đăng ký văn bản đến",
  "outgoing.register": "Đăng ký, cấp số văn bản đi",
  "document.cancel": "Hủy đăng ký",
  "outgoing.recall": "Thu hồi văn bản",
  "handling.assign": "Phân công giải quyết",
  "handling.reassign": "Phân công lại",
  "handling.progress": "Cập nhật tiến độ",
  "case_file.add": "Đưa vào hồ sơ",
  "case_file.remove": "Rút khỏi hồ sơ",
  "document.archive_copy": "Đóng dấu đến lên bản lưu",
  "document.print": "In văn bản",
  "signature.verified": "Kiểm tra chữ ký số",
  "signature.override": "Đăng ký dù chữ ký số chưa đạt",
  "key.sign": "Ký số bằng khóa của cơ quan",
  "key.timestamp_upgrade": "Bổ sung dấu thời gian",
};

/** "handling.assign" → "Phân công giải quyết"; unknown actions are shown as they are. */
export function actionLabel(action: string): string {
  return ACTIONS[action] ?? action;
}
