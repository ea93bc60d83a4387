// Signing in, shared by the pages that need a session (the workbench, the console): the form, the first-sign-in
// password change (TN-3), and who is signed in.
import { h, fill } from "/dom.js";
import { api, describe } from "/api.js";

/** The signed-in user (with a fresh CSRF token for the session), or null when nobody is signed in. */
export async function signedIn() {
  try {
    return await api("GET", "/api/v1/me");
  } catch {
    return null;
  }
}

/**
 * A form of the session in `main`: its title, its fields, its button and an error when given. On submit, `send(fields)`
 * asks the API, then `then()` runs; a refusal shows the form again, empty, with the reason.
 */
function sessionForm(main, spec, send, then, error) {
  const inputs = spec.fields.map((f) => h("input", { required: true, ...f }));
  const form = h("form", { class: "signin", id: spec.id }, h("h2", {}, spec.title), inputs,
    h("button", { class: "primary", type: "submit" }, spec.button), error ? h("p", { class: "error" }, error) : null);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await send(Object.fromEntries(inputs.map((i) => [i.name, i.value])));
      await then();
    } catch (e) {
      sessionForm(main, spec, send, then, describe(e));
    }
  });
  fill(main, form);
}

const signInForm = {
  id: "signin", title: "登录 Sign in", button: "登录",
  fields: [
    { type: "email", name: "email", placeholder: "Email", autocomplete: "username" },
    { type: "password", name: "password", placeholder: "密码 Password", autocomplete: "current-password" },
  ],
};

const passwordForm = {
  id: "password-change", title: "请先修改初始密码 Change your initial password", button: "保存",
  fields: [
    { type: "password", name: "currentPassword", placeholder: "当前密码 Current password" },
    { type: "password", name: "newPassword", placeholder: "新密码 New password" },
  ],
};

/** The sign-in form in `main`, with an error or a reason above the button when given; `then()` runs once signed in. */
export function showSignIn(main, then, error) {
  sessionForm(main, signInForm, (body) => api("POST", "/api/v1/sign-in", body), then, error);
}

/** TN-3: the initial password changed before anything else; `then()` runs with the session that continues. */
export function showPasswordChange(main, then, error) {
  sessionForm(main, passwordForm, (body) => api("POST", "/api/v1/me/password", body), then, error);
}

/** 退出: signs out and starts the page again (at its sign-in form). */
export function signOutButton() {
  return h("button", { class: "sign-out", onclick: async () => { await api("POST", "/api/v1/sign-out").catch(() => null); location.reload(); } }, "退出");
}
