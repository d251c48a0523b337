// Turns backend errors into sentences with a next step. The code picks the advice; the
// backend's message (already in words) says what happened.
import { BackendError } from "./backend";

const advice: Record<string, string> = {
  "repo.not_a_repository": "Pick a folder that holds a poni repository, or create a new one there.",
  "repo.already_initialized": "That folder is a repository already: open it instead.",
  "repo.bad_file": "Fix the file in a text editor (or delete it) and the app picks it up by itself.",
  "input.invalid_name": "Names use letters, digits, '-', '_' and '.', with '/' between systems.",
  "input.invalid_range": "Use a count like 3, or a range like 2..4.",
  "input.invalid_template": "Use {id} where the number goes, or {id:02} to pad it to two digits.",
  "input.invalid_property": "Check the property's name and value.",
  "repo.already_exists": "Pick another name, or delete the existing one first.",
  "repo.not_found": "It may have been renamed or removed (perhaps by the command line). The tree shows what exists now.",
  "repo.inherit_no_match": "Pick the parent node from the list.",
  "repo.inherit_ambiguous": "Pick exactly one parent node.",
  "repo.conflict": "The files changed while you worked. The view has been refreshed; try again.",
  "settings.bad_file": "Fix or delete the settings file; the app starts with defaults without it.",
  "ipc.failed": "This is a bug in Poni Desktop. Restart the app; if it happens again, report it.",
  io: "Check that the folder exists and that you may write to it.",
};

export interface Explained {
  code: string;
  message: string;
  hint?: string;
}

export function explain(error: unknown): Explained {
  if (error instanceof BackendError) {
    const message = error.message.charAt(0).toUpperCase() + error.message.slice(1);
    return { code: error.code, message, hint: advice[error.code] };
  }
  if (error && typeof error === "object" && "code" in error && "message" in error) {
    const e = error as { code: string; message: string };
    return { code: e.code, message: e.message, hint: advice[e.code] };
  }
  return { code: "unknown", message: error instanceof Error ? error.message : String(error) };
}
