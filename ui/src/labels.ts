// Vietnamese words for the codes the backend sends: roles, handling states, history actions.

import type { HandlingStatus } from "./bindings/HandlingStatus";
import type { Role } from "./bindings/Role";
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
};

/** "handling.assign" → "Phân công giải quyết"; unknown actions are shown as they are. */
export function actionLabel(action: string): string {
  return ACTIONS[action] ?? action;
}
