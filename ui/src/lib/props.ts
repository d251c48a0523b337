// Properties as the editor handles them: typed rows with dotted keys, the cloud form, and the
// payload a save sends (editProperties). Which keys and values are valid is the core's to say
// (backend.checkEdit); only reading typed values from the text of a row is done here.
import type { JsonValue } from "../bindings/serde_json/JsonValue";
import type { PropertyEdit } from "../bindings/PropertyEdit";
import { CLOUD_FIELDS, MANAGED_KEYS } from "../bindings/core";

export type PropType = "string" | "number" | "boolean" | "null" | "json";
export const PROP_TYPES: PropType[] = ["string", "number", "boolean", "null", "json"];

export interface PropRow {
  id: string;
  key: string;
  type: PropType;
  text: string;
  /** The key this row had when loaded; undefined for new rows. */
  origKey?: string;
}

export type Props = { [key: string]: JsonValue };

/** Cloud fields with their own inputs, and the property key each one writes (from the core). */
export { CLOUD_FIELDS };
export type CloudField = keyof typeof CLOUD_FIELDS;
export type CloudForm = Record<CloudField, string>;

export const CLOUD_LABELS: Record<CloudField, string> = {
  provider: "Provider",
  region: "Region",
  image: "Image (AMI)",
  keyPair: "Key pair",
  type: "Instance type",
  securityGroups: "Security groups",
  subnet: "Subnet",
  user: "Login user",
};

/**
 * Properties the app manages with its own actions (the core's list): shown read-only in the
 * editor, not as rows. `cloud.instance` is written by Launch (and replaced by a re-launch);
 * `parent` by Clone. A row typed with one of these names is sent to the core's check, which
 * refuses it.
 */
export { MANAGED_KEYS };
export type ManagedKey = (typeof MANAGED_KEYS)[number];
export const isManagedKey = (key: string): key is ManagedKey => (MANAGED_KEYS as readonly string[]).includes(key.trim());

/** The managed properties an item has, with their values, in MANAGED_KEYS order. */
export function managedFromProps(props: Props): { key: ManagedKey; value: JsonValue }[] {
  return MANAGED_KEYS.flatMap((key) => {
    const value = getPath(props, key);
    return value === undefined ? [] : [{ key, value }];
  });
}

let nextId = 0;
export const rowId = () => `row${++nextId}`;

export function typeOf(value: JsonValue): PropType {
  if (value === null) return "null";
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "boolean";
  return "json";
}

export function textOf(value: JsonValue): string {
  switch (typeOf(value)) {
    case "null":
      return "";
    case "string":
      return value as string;
    case "json":
      return JSON.stringify(value, null, 2);
    default:
      return String(value);
  }
}

/** Display form of any value, one line. */
export function showValue(value: JsonValue): string {
  if (typeof value === "string") return value === "" ? '""' : value;
  return JSON.stringify(value);
}

/** Reads a dotted key from nested objects. */
export function getPath(props: Props, key: string): JsonValue | undefined {
  let cur: JsonValue | undefined = props;
  for (const part of key.split(".")) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Props)[part];
  }
  return cur;
}

/**
 * The property key a cloud field writes for this item. The key pair goes under the spelling
 * the core says the item uses (`ItemDetail.keyPairKey`: poni 0.8 also reads `cloud.key_pair`).
 */
export function cloudFieldKey(field: CloudField, keyPairKey: string): string {
  return field === "keyPair" ? keyPairKey : CLOUD_FIELDS[field];
}

const HANDLED_CLOUD = new Set(["provider", "region", "image", "key-pair", "key_pair", "type", "security_groups", "subnet"]);

/** The generic rows: every property except the ones the cloud form shows and the managed ones. */
export function rowsFromProps(props: Props): PropRow[] {
  const rows: PropRow[] = [];
  const add = (key: string, value: JsonValue) => {
    if (!isManagedKey(key)) rows.push({ id: rowId(), key, type: typeOf(value), text: textOf(value), origKey: key });
  };
  for (const [key, value] of Object.entries(props)) {
    if (key === "user" && (typeof value === "string" || value === null)) continue;
    if (key === "cloud" && value && typeof value === "object" && !Array.isArray(value)) {
      for (const [ck, cv] of Object.entries(value)) {
        const handled = HANDLED_CLOUD.has(ck) && !(ck === "key_pair" && (value as Props)["key-pair"] !== undefined);
        const listOk = ck === "security_groups" || ck === "type";
        if (handled && (typeof cv === "string" || cv === null || (listOk && Array.isArray(cv) && cv.every((x) => typeof x === "string")))) continue;
        add(`cloud.${ck}`, cv);
      }
      continue;
    }
    add(key, value);
  }
  return rows.sort((a, b) => a.key.localeCompare(b.key));
}

function listText(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map(String).join(", ");
  return String(value);
}

export function cloudFromProps(props: Props, keyPairKey: string = CLOUD_FIELDS.keyPair): CloudForm {
  const form = {} as CloudForm;
  for (const field of Object.keys(CLOUD_FIELDS) as CloudField[]) {
    form[field] = listText(getPath(props, cloudFieldKey(field, keyPairKey)));
  }
  return form;
}

/** Splits a list field: commas or whitespace. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseRow(row: PropRow): { value?: JsonValue; error?: string } {
  switch (row.type) {
    case "string":
      return { value: row.text };
    case "null":
      return { value: null };
    case "boolean":
      return row.text === "true" || row.text === "false" ? { value: row.text === "true" } : { error: "Pick true or false." };
    case "number": {
      const t = row.text.trim();
      if (!t) return { error: "Enter a number." };
      const n = Number(t);
      if (!Number.isFinite(n)) return { error: `'${t}' is not a number.` };
      return { value: n };
    }
    case "json":
      try {
        return { value: JSON.parse(row.text) as JsonValue };
      } catch (e) {
        return { error: `Not valid JSON: ${(e as Error).message.replace(/^JSON\.parse: /, "")}` };
      }
  }
}

/** Converts the text of a row when its type changes, keeping what can be kept. */
export function retype(row: PropRow, type: PropType): PropRow {
  const parsed = parseRow(row).value;
  let text = row.text;
  if (type === "boolean") text = row.text.trim() === "true" || parsed === true ? "true" : "false";
  else if (type === "null") text = "";
  else if (type === "json") text = parsed !== undefined && row.type !== "string" ? JSON.stringify(parsed, null, 2) : JSON.stringify(row.text);
  else if (type === "string" && row.type === "json" && typeof parsed === "string") text = parsed;
  return { ...row, type, text };
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface SavePayload {
  set: PropertyEdit[];
  unset: string[];
}

function cloudValue(field: CloudField, text: string, original: JsonValue | undefined): JsonValue {
  if (field === "securityGroups") return splitList(text);
  if (field === "type") {
    const list = splitList(text);
    return Array.isArray(original) || list.length > 1 ? list : text.trim();
  }
  return text.trim();
}

/** What saving the draft sends: typed edits with dotted keys, and keys to remove. */
export function savePayload(original: Props, rows: PropRow[], cloud: CloudForm, keyPairKey: string = CLOUD_FIELDS.keyPair): SavePayload {
  const set: PropertyEdit[] = [];
  const unset: string[] = [];
  const origRows = rowsFromProps(original);
  const draftKeys = new Set(rows.map((r) => r.key.trim()));
  for (const row of rows) {
    const key = row.key.trim();
    const { value } = parseRow(row);
    if (value === undefined) continue;
    const before = getPath(original, key);
    if (before === undefined || !deepEqual(before, value) || (row.origKey && row.origKey !== key)) set.push({ key, value });
  }
  for (const orig of origRows) {
    if (!draftKeys.has(orig.key)) unset.push(orig.key);
  }
  const origForm = cloudFromProps(original, keyPairKey);
  for (const field of Object.keys(CLOUD_FIELDS) as CloudField[]) {
    const key = cloudFieldKey(field, keyPairKey);
    const now = cloud[field].trim();
    if (now === origForm[field].trim()) continue;
    if (!now) {
      if (getPath(original, key) !== undefined) unset.push(key);
    } else {
      set.push({ key, value: cloudValue(field, now, getPath(original, key)) });
    }
  }
  return { set, unset: unset.filter((k) => !set.some((s) => s.key === k)) };
}
