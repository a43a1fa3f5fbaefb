// The only script of the service: WebAuthn ceremonies (the options come from the toolkit, the
// response goes back to it untouched) and the countdown of a temporisation. No framework, no build.
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

async function post(url, body) {
  const r = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
    body: body === undefined ? "{}" : JSON.stringify(body),
  });
  let data = {};
  try { data = await r.json(); } catch (e) { data = {error: "the server answered " + r.status}; }
  if (!r.ok) throw new Error(data.error + (data.retry_after ? " Wait " + data.retry_after + " s before the next try." : ""));
  return data;
}

function showError(message) {
  const p = document.getElementById("webauthn-error");
  if (p) { p.textContent = message; p.hidden = false; }
}

async function register(button) {
  const options = await post(button.dataset.begin, {kind: button.dataset.kind});
  const cred = await navigator.credentials.create({publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options)});
  const name = (document.getElementById("key-name") || {}).value || button.dataset.kind;
  const done = await post(button.dataset.finish + "?name=" + encodeURIComponent(name), cred.toJSON());
  location.assign(done.next);
}

async function authenticate(button) {
  const options = await post(button.dataset.begin);
  const cred = await navigator.credentials.get({publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options)});
  const done = await post(button.dataset.finish, cred.toJSON());
  location.assign(done.next);
}

function wire(selector, ceremony) {
  document.querySelectorAll(selector).forEach((b) => b.addEventListener("click", () => {
    b.disabled = true;
    ceremony(b).catch((e) => showError(e.message || String(e))).finally(() => { b.disabled = false; });
  }));
}

function countdowns() {
  const spans = document.querySelectorAll(".countdown");
  if (!spans.length) return;
  const fmt = (s) => s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.floor(s % 3600 / 60)} min`
    : s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
  const end = Date.now() / 1000;
  const tick = () => spans.forEach((span) => {
    const left = Math.max(0, Math.ceil(Number(span.dataset.seconds) - (Date.now() / 1000 - end)));
    span.textContent = left ? fmt(left) : "now";
  });
  setInterval(tick, 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  wire(".webauthn-register", register);
  wire("#webauthn-login", authenticate);
  wire("#passkey-login", authenticate);
  countdowns();
});
