// Typed calls to the Tauri shell. The argument and result types are generated from the Rust DTOs
// (src-tauri/src/dto.rs → ui/src/bindings); this file only names the commands.

import { invoke } from "@tauri-apps/api/core";
import type { AppStatus } from "./bindings/AppStatus";
import type { CommandError } from "./bindings/CommandError";
import type { InitOrganisation } from "./bindings/InitOrganisation";
import type { ListRegister } from "./bindings/ListRegister";
import type { Organisation } from "./bindings/Organisation";
import type { RegisterPage } from "./bindings/RegisterPage";
import type { SearchRegister } from "./bindings/SearchRegister";

/** A command's rejection, always `{code, message}` with a Vietnamese message. */
export class ApiFailure extends Error {
  readonly code: string;

  constructor(error: CommandError) {
    super(error.message);
    this.code = error.code;
  }
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
    if (isCommandError(error)) throw new ApiFailure(error);
    throw new ApiFailure({ code: "ipc", message: `Không gọi được chức năng “${command}”: ${String(error)}` });
  }
}

export const api = {
  appStatus: () => call<AppStatus>("app_status"),
  initOrganisation: (input: InitOrganisation) => call<Organisation>("init_organisation", input),
  listRegister: (input: ListRegister) => call<RegisterPage>("list_register", input),
  searchRegister: (input: SearchRegister) => call<RegisterPage>("search_register", input),
};
