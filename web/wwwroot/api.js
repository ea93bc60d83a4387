// The REST API as the workbench calls it: the session cookie, with the CSRF token on every change.
let csrf = null;

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (csrf && method !== "GET") headers["X-CSRF-TOKEN"] = csrf;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, json);
  if (json && typeof json.csrfToken === "string") csrf = json.csrfToken;
  return json;
}

export const csrfToken = () => csrf;

/** The field errors of a problem, as "field: reason" lines, or its detail. */
export function describe(error) {
  const errors = error?.problem?.errors;
  if (errors) return Object.entries(errors).map(([field, reasons]) => `${field}: ${[].concat(reasons).join(", ")}`).join("; ");
  return error?.message || String(error);
}

/** Sends a file as multipart form data (<c>file</c>), with the CSRF token of the session when there is one. */
export async function upload(path, file) {
  const body = new FormData();
  body.append("file", file);
  const headers = { Accept: "application/json" };
  if (csrf) headers["X-CSRF-TOKEN"] = csrf;
  const response = await fetch(path, { method: "POST", headers, body, credentials: "same-origin" });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}
