// The reference service (apps/web) walked through in headless chromium by Playwright, with the
// DevTools virtual authenticator (CTAP2, resident keys, user verification) for security keys and
// passkeys. Started by run_browser_tests.sh (which installs playwright-core); it starts the
// services itself on free loopback ports: one on the embedded default (SQLite store and key ring
// in a data folder), two on one Redis store (a redis-server it starts), and stops them at the end.
// One story, step by step; the first failing step stops the run (exit 1).
import { createRequire } from "node:module";
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const require = createRequire(path.join(process.env.WEB_NODE_DIR, "/"));
const { chromium } = require("playwright-core");

const shots = process.env.WEB_SCREENSHOTS;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mfaweb-test-"));
const children = [];
const logs = [];          // every line the services printed (checked for secrets at the end)
const secrets = [];       // every secret the story handled
let passed = 0;

// ------------------------------------------------------------------ helpers
function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function startService(name, args) {
  return new Promise((resolve, reject) => {
    const p = spawn("/usr/bin/python3", ["-m", "mfaweb", "--host", "127.0.0.1", "--port", "0", ...args],
                    { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    children.push(p);
    let done = false;
    const onLine = (chunk) => {
      for (const line of chunk.toString().split("\n")) {
        if (!line) continue;
        logs.push(`[${name}] ${line}`);
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
        if (m && !done) { done = true; resolve({ name, port: Number(m[1]), proc: p }); }
      }
    };
    p.stdout.on("data", onLine);
    p.stderr.on("data", onLine);
    p.on("exit", (code) => { if (!done) reject(new Error(`${name} exited ${code}:\n${logs.join("\n")}`)); });
    setTimeout(() => { if (!done) reject(new Error(`${name} did not start:\n${logs.join("\n")}`)); }, 20000);
  });
}

async function startRedis() {
  const port = await freePort();
  const p = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                  { stdio: "ignore" });
  children.push(p);
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((resolve) => {
      const c = net.connect(port, "127.0.0.1", () => { c.end(); resolve(true); });
      c.on("error", () => resolve(false));
    });
    if (up) return port;
    await sleep(100);
  }
  throw new Error("redis-server did not start");
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function base32Decode(s) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0;
  const out = [];
  for (const c of s.replace(/=+$/, "").toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}

function hotp(key, counter) {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(counter));
  const h = crypto.createHmac("sha1", key).update(b).digest();
  const o = h[19] & 15;
  const n = ((h[o] & 127) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1000000).padStart(6, "0");
}

// An authenticator app: each code of a later step than the last one used (the toolkit accepts a
// code once, and one step ahead of the clock), waiting for the clock when needed.
class AuthenticatorApp {
  // secret: the Base32 key an enrollment page shows, or a hardware token's seed (a Buffer).
  constructor(secret) {
    this.key = Buffer.isBuffer(secret) ? secret : base32Decode(secret);
    this.last = -1;
    secrets.push(Buffer.isBuffer(secret) ? secret.toString("base64") : secret);
  }
  async next() {
    for (;;) {
      const now = Math.floor(Date.now() / 1000 / 30);
      const step = Math.max(now, this.last + 1);
      if (step <= now + 1 && (step === now || Date.now() / 1000 % 30 > 3)) {
        this.last = step;
        return hotp(this.key, step);
      }
      await sleep(500);
    }
  }
  // The code of the step used last (a replay).
  replay() { return hotp(this.key, this.last); }
}

// A vendor's PSKC file (RFC 6030) for TOTP tokens, made as tests/vectors/pskc/make_vectors.sh makes
// its files with OpenSSL (here through Node's crypto, which is OpenSSL): the seeds encrypted with a
// pre-shared AES-128 key (AES-CBC, the IV in front), each with an HMAC-SHA1 ValueMAC under a MAC key
// that is itself encrypted with the pre-shared key.
function pskcFile(psk, tokens) {
  const enc = (data) => {
    const iv = crypto.randomBytes(16);
    const c = crypto.createCipheriv("aes-128-cbc", psk, iv);
    return Buffer.concat([iv, c.update(data), c.final()]);
  };
  const macKey = crypto.randomBytes(20);
  const packages = tokens.map(({ serial, seed }) => {
    const value = enc(seed);
    const mac = crypto.createHmac("sha1", macKey).update(value).digest("base64");
    return `  <KeyPackage>
    <DeviceInfo><Manufacturer>mfakit test vendor</Manufacturer><SerialNo>${serial}</SerialNo><Model>OTP-T</Model></DeviceInfo>
    <Key Id="key-${serial}" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
      <Issuer>mfakit web tests</Issuer>
      <AlgorithmParameters><ResponseFormat Length="6" Encoding="DECIMAL"/></AlgorithmParameters>
      <Data>
        <Secret><EncryptedValue><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
          <xenc:CipherData><xenc:CipherValue>${value.toString("base64")}</xenc:CipherValue></xenc:CipherData></EncryptedValue>
          <ValueMAC>${mac}</ValueMAC></Secret>
        <TimeInterval><PlainValue>30</PlainValue></TimeInterval>
      </Data>
    </Key>
  </KeyPackage>\n`;
  }).join("");
  return `<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#">
  <EncryptionKey><ds:KeyName>mfakit-web-test-psk</ds:KeyName></EncryptionKey>
  <MACMethod Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1"><MACKey><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/><xenc:CipherData><xenc:CipherValue>${enc(macKey).toString("base64")}</xenc:CipherValue></xenc:CipherData></MACKey></MACMethod>
${packages}</KeyContainer>
`;
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, name + ".png"), fullPage: true });
}

// The optional components of the library under test (run_browser_tests.sh asks mfakit.features): a
// step that needs a missing one is skipped, and the run then exits 77.
const features = new Set((process.env.MFA_FEATURES || "").split(" ").filter(Boolean));
const skipped = [];

async function step(name, fn, needs) {
  if (needs && !features.has(needs)) {
    passed++;
    skipped.push(`${name}: built without ${needs} (meson -D${needs}=enabled)`);
    console.log(`ok ${passed} - ${name} # SKIP built without ${needs}`);
    return;
  }
  const t0 = Date.now();
  try {
    await fn();
  } catch (e) {
    console.log(`not ok ${passed + 1} - ${name}\n${e.stack}`);
    throw e;
  }
  passed++;
  console.log(`ok ${passed} - ${name} (${Date.now() - t0} ms)`);
}

// A DevTools virtual authenticator on the page: "usb" stands for a security key, "internal" for the
// laptop's platform authenticator that keeps passkeys. A user has one authenticator at hand at a
// time (a key excludes registering a second credential on itself), so the story plugs them in and
// out, keeping each one's credentials (private keys included) across.
class Authenticators {
  constructor(cdp) { this.cdp = cdp; this.current = null; this.kept = {}; }
  static async on(page) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    return new Authenticators(cdp);
  }
  async plugIn(transport) {
    if (this.current) await this.unplug();
    const { authenticatorId } = await this.cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport, hasResidentKey: true, hasUserVerification: true,
                 isUserVerified: true, automaticPresenceSimulation: true },
    });
    for (const credential of this.kept[transport] || []) {
      await this.cdp.send("WebAuthn.addCredential", { authenticatorId, credential });
    }
    this.current = { id: authenticatorId, transport };
  }
  async credentials() {
    return (await this.cdp.send("WebAuthn.getCredentials", { authenticatorId: this.current.id })).credentials;
  }
  async unplug() {
    this.kept[this.current.transport] = await this.credentials();
    await this.cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: this.current.id });
    this.current = null;
  }
}

// ------------------------------------------------------------------ page actions
async function signup(page, base, { email, password, org = "", name = "" }) {
  await page.goto(base + "/signup");
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="display_name"]', name || email.split("@")[0]);
  await page.fill('input[name="password"]', password);
  await page.fill('input[name="org_name"]', org);
  await page.click("#signup-submit");
}

async function login(page, base, email, password) {
  await page.goto(base + "/login");
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await page.click("#login-submit");
  await page.waitForLoadState();
}

// The password, then the next code of the user's authenticator app.
async function loginWithTotp(page, base, email, password, app) {
  await login(page, base, email, password);
  await page.waitForURL(/\/login\/second$/);
  await page.fill('form[action="/login/totp"] input[name="code"]', await app.next());
  await page.click("#totp-submit");
}

// An admin's button in a member's row of the organization's page.
async function memberAction(page, email, button) {
  await page.locator(`tr.member[data-email="${email}"] button.${button}`).click();
  await page.waitForURL(/\/org$/);
}

async function logout(page) {
  await page.click("#logout");
  await page.waitForURL(/\/login$/);
}

async function enrollTotp(page, base) {
  await page.goto(base + "/security");
  await page.click("#totp-begin");
  const secret = (await page.textContent("#totp-secret")).trim();
  const app = new AuthenticatorApp(secret);
  await page.fill('input[name="code"]', await app.next());
  await page.click("#totp-confirm");
  const codes = (await page.locator("#recovery-codes code").allTextContents()).map((c) => c.trim());
  secrets.push(...codes);
  return { app, codes };
}

async function setPolicy(page, base, { require = "optional", roles = [], graceDays = 0, allowed = ["totp", "webauthn"],
                                       ipAllow = "", emailAllow = "", minClasses = 0 }) {
  await page.goto(base + "/org");
  await page.check(`input[name="require"][value="${require}"]`);
  for (const r of ["owner", "admin", "member"]) await page.setChecked(`input[name="roles"][value="${r}"]`, roles.includes(r));
  await page.fill('input[name="grace_days"]', String(graceDays));
  for (const f of ["totp", "webauthn"]) await page.setChecked(`input[name="allowed"][value="${f}"]`, allowed.includes(f));
  await page.fill('input[name="ip_allow"]', ipAllow);
  await page.fill('input[name="email_allow"]', emailAllow);
  await page.selectOption('select[name="password_min_classes"]', String(minClasses));
  await page.click("#policy-save");
  await page.waitForURL(/\/org$/);
}

async function invite(page, base, email, role = "member") {
  await page.goto(base + "/org");
  await page.fill("#invite-email", email);
  await page.selectOption("#invite-role", role);
  await page.click("#invite-submit");
  await page.waitForURL(/\/org$/);
}

async function api(base, token) {
  // The services listen on 127.0.0.1 only; Node 18 (Debian 12's) resolves "localhost" to ::1 first
  // and does not fall back, so the API is called by address (the browser maps localhost itself).
  const url = base.replace("//localhost:", "//127.0.0.1:") + "/api/v1/me";
  const r = await fetch(url, { headers: token ? { Authorization: "Bearer " + token } : {} });
  return { status: r.status, body: await r.json() };
}

// ------------------------------------------------------------------ the story
async function main() {
  // --maintenance-interval 20: the service backs up and maintains its keys every 20 s of the story
  // (a day in production), so the data-protection step sees backups of a store with data in it;
  // --key-max-age 15s (90 days in production): each of those runs makes a new key, so that step
  // sees the current key change and the secrets written under the first key still verify.
  const s = await startService("sqlite", ["--data", path.join(tmp, "s"), "--free-failures", "2", "--base-delay", "2",
                                          "--lock-after", "4", "--maintenance-interval", "20", "--key-max-age", "15s"]);
  const S = `http://localhost:${s.port}`;
  const launchArgs = ["--host-resolver-rules=MAP localhost 127.0.0.1"];
  if (process.getuid && process.getuid() === 0) launchArgs.push("--no-sandbox");  // CI runs as root
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, headless: true, args: launchArgs });
  const newPage = async (extra = {}) => {
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 800 }, ...extra });
    const page = await ctx.newPage();
    page.setDefaultTimeout(15000);
    return page;
  };

  const alice = { email: "alice@acme.test", password: "Correct-Horse-42-battery" };
  const bob = { email: "bob@acme.test", password: "Blue-Lantern-91-river" };
  secrets.push(alice.password, bob.password);
  const owner = await newPage();
  let aliceTotp, aliceCodes;

  await step("security headers, cookie flags and CSRF protection", async () => {
    const resp = await owner.goto(S + "/login");
    const h = resp.headers();
    check(h["content-security-policy"].includes("default-src 'none'") && h["content-security-policy"].includes("script-src 'self'"), "CSP");
    check(h["x-frame-options"] === "DENY" && h["x-content-type-options"] === "nosniff", "framing and sniffing headers");
    check(h["referrer-policy"] === "same-origin" && h["cache-control"] === "no-store", "referrer and cache headers");
    const cookie = (await owner.context().cookies()).find((c) => c.name === "mfaweb");
    check(cookie && cookie.httpOnly && cookie.sameSite === "Lax", "session cookie HttpOnly, SameSite=Lax");
    secrets.push(cookie.value);
    check((await owner.request.head(S + "/login")).status() === 200, "HEAD is a GET, not a login attempt");
    const noToken = await owner.request.post(S + "/login", { form: { email: alice.email, password: "x" } });
    check(noToken.status() === 403, "a POST without the CSRF token is refused: " + noToken.status());
    const csrf = await owner.getAttribute('meta[name="csrf-token"]', "content");
    const otherSite = await owner.request.post(S + "/login", { form: { csrf, email: alice.email, password: "x" },
                                                               headers: { Origin: "http://evil.test" } });
    check(otherSite.status() === 403, "a POST from another origin is refused: " + otherSite.status());
  });

  await step("sign-up refuses a password the policy rejects", async () => {
    // Refused in every build (the user's name in it); "password" needs the dictionary (-Dpwquality).
    await signup(owner, S, { email: alice.email, password: "alice-2024", org: "Acme" });
    check((await owner.textContent("#error")).includes("Password refused"), "the policy's reason is shown");
    await shot(owner, "signup-password-refused");
  });

  await step("the owner signs up and creates the organization", async () => {
    await signup(owner, S, { email: alice.email, password: alice.password, org: "Acme", name: "Alice" });
    await owner.waitForURL(/\/home$/);
    check((await owner.textContent(".who")).includes("Acme (owner)"), "owner of Acme");
    const again = await newPage();
    await signup(again, S, { email: alice.email, password: "Another-Horse-42-battery", org: "Acme" });
    check((await again.textContent("#error")).includes("exists"), "one account per address");
    await again.context().close();
  });

  await step("TOTP enrollment with a QR code and a proof code; recovery codes shown once", async () => {
    await owner.goto(S + "/security");
    await owner.click("#totp-begin");
    check((await owner.getAttribute("#totp-qr", "src")).startsWith("data:image/png;base64,"), "a QR code");
    await shot(owner, "totp-enroll");
    await owner.fill('input[name="code"]', "000000");
    await owner.click("#totp-confirm");
    check((await owner.textContent("#message")).includes("did not match"), "a wrong proof code is refused");
    ({ app: aliceTotp, codes: aliceCodes } = await enrollTotp(owner, S));
    check(aliceCodes.length === 10 && new Set(aliceCodes).size === 10, "10 distinct recovery codes");
    await shot(owner, "recovery-codes");
    await owner.click("#recovery-done");
    check((await owner.textContent("#recovery-left")).trim() === "10", "10 codes left");
    check(!(await owner.content()).includes(aliceCodes[0]), "the codes are not shown again");
  });

  await step("login with the password, then the TOTP code; a code used twice is refused", async () => {
    await logout(owner);
    await login(owner, S, alice.email, alice.password);
    await owner.waitForURL(/\/login\/second$/);
    await shot(owner, "second-factor");
    await owner.fill('form[action="/login/totp"] input[name="code"]', "123456" === aliceTotp.replay() ? "654321" : "123456");
    await owner.click("#totp-submit");
    check((await owner.textContent("#error")).includes("Wrong code"), "a wrong code is refused");
    await owner.fill('form[action="/login/totp"] input[name="code"]', await aliceTotp.next());
    await owner.click("#totp-submit");
    await owner.waitForURL(/\/home$/);
    check((await owner.textContent("#amr")).includes("otp"), "amr has otp");
    await logout(owner);
    await login(owner, S, alice.email, alice.password);
    await owner.fill('form[action="/login/totp"] input[name="code"]', aliceTotp.replay());
    await owner.click("#totp-submit");
    check((await owner.textContent("#error")).includes("used already"), "the replayed code is refused");
  });

  await step("login with a recovery code, which then stops working", async () => {
    await owner.click("summary");
    await owner.fill('form[action="/login/recovery"] input[name="code"]', aliceCodes[0]);
    await owner.click("#recovery-submit");
    await owner.waitForURL(/\/home$/);
    await owner.goto(S + "/security");
    check((await owner.textContent("#recovery-left")).trim() === "9", "9 codes left");
  });

  const authn = await Authenticators.on(owner);
  await step("security key and passkey registration (WebAuthn)", async () => {
    await authn.plugIn("usb");
    await owner.fill("#key-name", "YubiKey");
    await owner.click("#add-security-key");
    await owner.waitForSelector('tr.key:has-text("YubiKey")');
    check((await authn.credentials()).filter((c) => c.isResidentCredential).length === 0, "a non-resident credential on the key");
    await authn.plugIn("internal");
    await owner.fill("#key-name", "Laptop passkey");
    await owner.click("#add-passkey");
    await owner.waitForSelector('tr.key:has-text("Laptop passkey")').catch(async (e) => {
      throw new Error(e.message + "\n" + await owner.textContent("#webauthn-error"));
    });
    check((await owner.textContent('tr.key:has-text("Laptop passkey")')).includes("passkey"), "the passkey is discoverable");
    check((await authn.credentials()).filter((c) => c.isResidentCredential).length === 1, "a resident credential");
    await shot(owner, "security-page");
  });

  await step("login with the password, then a security key", async () => {
    await authn.plugIn("usb");
    await logout(owner);
    await login(owner, S, alice.email, alice.password);
    await owner.waitForURL(/\/login\/second$/);
    await owner.click("#webauthn-login");
    await owner.waitForURL(/\/home$/);
    check((await owner.textContent("#amr")).includes("mfa"), "amr has mfa");
  });

  await step("usernameless login with the passkey", async () => {
    await authn.plugIn("internal");
    await logout(owner);
    await owner.click("#passkey-login");
    await owner.waitForURL(/\/home$/);
    check((await owner.textContent(".who")).includes(alice.email), "logged in as the passkey's account");
  });

  const carol = await newPage();
  const bobPage = await newPage();
  await step("invitations, and the email-domain allow list refusing an outsider", async () => {
    await invite(owner, S, bob.email, "member");
    await invite(owner, S, "carol@elsewhere.test", "member");
    await setPolicy(owner, S, { emailAllow: "acme.test" });
    await signup(carol, S, { email: "carol@elsewhere.test", password: "Quiet-Meadow-77-stone" });
    check((await carol.textContent("#error")).includes("email domain not allowed"), "carol refused: " + await carol.textContent("#error"));
    await shot(carol, "email-domain-refused");
    await signup(bobPage, S, { email: bob.email, password: bob.password, name: "Bob" });
    await bobPage.waitForURL(/\/home$/);
    check((await bobPage.textContent(".who")).includes("Acme (member)"), "bob joined as a member");
  });

  let bobTotp;
  await step("the owner makes the second factor mandatory while a member is logged in", async () => {
    await setPolicy(owner, S, { require: "everyone", graceDays: 7, emailAllow: "acme.test" });
    await bobPage.goto(S + "/home");
    check(bobPage.url().endsWith("/home"), "within the grace period bob still reaches his pages");
    check((await bobPage.textContent("#enroll-banner")).includes("set one up before"), "with the deadline shown");
    await setPolicy(owner, S, { require: "everyone", graceDays: 0, emailAllow: "acme.test" });
    await owner.screenshot({ path: path.join(shots, "org-policy.png"), fullPage: true });
    await bobPage.goto(S + "/home");
    await bobPage.waitForURL(/\/security$/);
    check((await bobPage.textContent("#enroll-banner")).includes("set one up to continue"), "grace over: enroll now");
    await shot(bobPage, "second-factor-required");
    ({ app: bobTotp } = await enrollTotp(bobPage, S));
    await bobPage.goto(S + "/home");
    check(bobPage.url().endsWith("/home"), "after enrolling bob is let in");
  });

  await step("the owner narrows the allowed factors: a member whose factor is no longer allowed must enroll another", async () => {
    await setPolicy(owner, S, { require: "everyone", allowed: ["webauthn"], emailAllow: "acme.test" });
    await bobPage.goto(S + "/home");
    await bobPage.waitForURL(/\/security$/);
    check((await bobPage.textContent("#enroll-banner")).includes("(totp) not allowed"), "the reason names TOTP");
    check(!(await bobPage.isVisible("#totp-begin")), "no TOTP enrollment offered");
    await setPolicy(owner, S, { require: "everyone", graceDays: 0, emailAllow: "acme.test" });
    await bobPage.goto(S + "/home");
    check(bobPage.url().endsWith("/home"), "TOTP allowed again: bob is let in");
  });

  await step("API keys: create, call the API with one, list and revoke as the organization", async () => {
    await bobPage.goto(S + "/security");
    await bobPage.fill('#tokens input[name="name"]', "ci");
    await bobPage.fill('#tokens input[name="scopes"]', "read");
    await bobPage.click("#token-create");
    const token = (await bobPage.textContent("#api-token")).trim();
    secrets.push(token);
    const ok = await api(S, token);
    check(ok.status === 200 && ok.body.user === bob.email && ok.body.scopes.join(" ") === "read", "the API answers: " + JSON.stringify(ok));
    check((await api(S, token.slice(0, -1) + (token.endsWith("A") ? "B" : "A"))).status === 401, "a mistyped key is refused");
    check((await api(S)).status === 401, "no key is refused");
    await owner.goto(S + "/org");
    const row = owner.locator('#org-tokens tr.token:has-text("bob@acme.test")');
    check((await row.count()) === 1 && (await row.textContent()).includes("ci"), "the owner sees bob's key");
    check((await row.textContent()).includes("UTC"), "with its last use");
    await row.locator("button.revoke").click();
    await owner.waitForURL(/\/org$/);
    check((await api(S, token)).status === 401, "the revoked key is refused");
  });

  await step("lock-out after failed passwords, with the time left; an admin unlocks", async () => {
    const p = await newPage();
    await login(p, S, bob.email, "wrong-1");
    check((await p.textContent("#error")).includes("Wrong email or password"), "first failure");
    await login(p, S, bob.email, "wrong-2");
    await login(p, S, bob.email, "wrong-3");   // the third failure: past the two free ones, a delay starts
    await login(p, S, bob.email, "wrong-4");   // within the delay: not even checked
    check((await p.textContent("#error")).includes("Too many failed attempts"), "throttled: " + await p.textContent("main"));
    check(await p.isVisible("#retry-after"), "with the time left");
    await shot(p, "temporisation");
    await sleep(2500);
    await login(p, S, bob.email, "wrong-5");
    check(await p.isVisible("#locked"), "locked after the 4th counted failure: " + await p.textContent("main"));
    await login(p, S, bob.email, bob.password);
    check(await p.isVisible("#locked"), "even the right password waits for the unlock");
    await shot(p, "locked");
    await owner.goto(S + "/org");
    const row = owner.locator('tr.member[data-email="bob@acme.test"]');
    check((await row.textContent()).includes("locked"), "the owner sees the lock");
    await memberAction(owner, bob.email, "unlock");
    await loginWithTotp(p, S, bob.email, bob.password, bobTotp);
    await p.waitForURL(/\/home$/);
  });

  await step("roles: the owner makes a member admin and back", async () => {
    await owner.goto(S + "/org");
    const row = () => owner.locator('tr.member[data-email="bob@acme.test"]');
    await row().locator("select.role").selectOption("admin");
    await row().locator("button.set-role").click();
    await owner.waitForURL(/\/org$/);
    check((await row().locator("select.role").inputValue()) === "admin", "bob is admin");
    await bobPage.goto(S + "/org");
    check(bobPage.url().endsWith("/org"), "an admin opens the organization's page");
    check(!(await bobPage.isVisible("#policy-save")), "only the owner edits the policy");
    await row().locator("select.role").selectOption("member");
    await row().locator("button.set-role").click();
    await owner.waitForURL(/\/org$/);
    const r = await bobPage.goto(S + "/org");
    check(r.status() === 403, "a member may not: " + r.status());
    check((await bobPage.textContent("#message")).includes("member does not have members.manage"), "the toolkit's reason");
    // Nor do what the page would offer an admin, by posting the form himself: the toolkit refuses
    // (and audits it), whatever the page showed.
    await bobPage.goto(S + "/home");
    const csrf = await bobPage.getAttribute('meta[name="csrf-token"]', "content");
    const forged = await bobPage.request.post(S + "/org/members/unlock", { form: { csrf, email: alice.email } });
    check(forged.status() === 403 && (await forged.text()).includes("does not have members.manage"),
          "a member refused an admin action: " + forged.status());
    check(!(await bobPage.isVisible('nav a[href="/org"]')), "and the page offers him none");
    // The organization keeps an owner: the toolkit refuses its only owner's stepping down (audited).
    await owner.goto(S + "/org");
    const self = owner.locator(`tr.member[data-email="${alice.email}"]`);
    await self.locator("select.role").selectOption("member");
    await self.locator("button.set-role").click();
    check((await owner.textContent("#message")).includes(`${alice.email} is the last owner of`),
          "the last owner stays: " + await owner.textContent("#message"));
    await owner.goto(S + "/org");
    check((await self.locator("select.role").inputValue()) === "owner", "alice is still owner");
  });

  await step("password rules (3 of 4 character classes) and a renewal an admin forces", async () => {
    await setPolicy(owner, S, { require: "everyone", emailAllow: "acme.test", minClasses: 3 });
    await invite(owner, S, "dan@acme.test");
    const dan = await newPage();
    // Two classes (lower case, other): the default policy takes it, the organization's rule does not.
    await signup(dan, S, { email: "dan@acme.test", password: "purple-meadow-river-stone" });
    check(/Password refused: .*class/i.test(await dan.textContent("#error")), "two classes refused: " + await dan.textContent("#error"));
    await dan.context().close();
    await owner.goto(S + "/org");
    await memberAction(owner, bob.email, "password-reset");
    check((await owner.textContent('tr.member[data-email="bob@acme.test"]')).includes("password change required"), "shown");
    await logout(bobPage);
    await loginWithTotp(bobPage, S, bob.email, bob.password, bobTotp);
    await bobPage.waitForURL(/\/security$/);
    check(await bobPage.isVisible("#password-banner"), "bob must change his password first");
    await shot(bobPage, "password-renewal");
    await bobPage.goto(S + "/home");
    await bobPage.waitForURL(/\/security$/);
    bob.password = "Green-Harbour-37-tide";
    secrets.push(bob.password);
    await bobPage.fill('#password input[name="current"]', "Blue-Lantern-91-river");
    await bobPage.fill('#password input[name="new"]', bob.password);
    await bobPage.click("#password-change");
    await bobPage.goto(S + "/home");
    check(bobPage.url().endsWith("/home"), "after the change bob is let in");
  });

  await step("hardware OTP tokens: a PSKC file imported, a token assigned, the member logs in with its code", async () => {
    const psk = crypto.randomBytes(16);
    const seeds = [crypto.randomBytes(20), crypto.randomBytes(20)];
    const token = new AuthenticatorApp(seeds[0]);
    secrets.push(psk.toString("hex"), seeds[1].toString("base64"));
    const hana = { email: "hana@acme.test", password: "Quiet-Harbor-55-lamp" };
    secrets.push(hana.password);
    await invite(owner, S, hana.email);
    const hanaPage = await newPage();
    await signup(hanaPage, S, { email: hana.email, password: hana.password, name: "Hana" });
    await hanaPage.waitForURL(/\/security$/);   // the second factor is mandatory: she has none yet
    await owner.goto(S + "/org/otp-tokens");
    await owner.setInputFiles("#pskc-file", { name: "tokens.pskc", mimeType: "application/pskc+xml",
                                              buffer: Buffer.from(pskcFile(psk, [{ serial: "HW-0001", seed: seeds[0] },
                                                                                 { serial: "HW-0002", seed: seeds[1] }])) });
    await owner.fill("#pskc-key", "00".repeat(16));
    await owner.click("#pskc-import");
    check((await owner.textContent("#message")).includes("Not imported"), "a wrong pre-shared key is refused");
    await owner.goto(S + "/org/otp-tokens");
    await owner.setInputFiles("#pskc-file", { name: "tokens.pskc", mimeType: "application/pskc+xml",
                                              buffer: Buffer.from(pskcFile(psk, [{ serial: "HW-0001", seed: seeds[0] },
                                                                                 { serial: "HW-0002", seed: seeds[1] }])) });
    await owner.fill("#pskc-key", psk.toString("hex"));
    await owner.click("#pskc-import");
    await owner.waitForURL(/\/org\/otp-tokens$/);
    const row = (serial) => owner.locator(`tr.otp-token[data-serial="${serial}"]`);
    check((await row("HW-0001").getAttribute("data-state")) === "unassigned" &&
          (await row("HW-0002").getAttribute("data-state")) === "unassigned", "both tokens listed by serial, unassigned");
    await row("HW-0001").locator("select.assign-to").selectOption(hana.email);
    await row("HW-0001").locator("button.assign").click();
    await owner.waitForURL(/\/org\/otp-tokens$/);
    check((await row("HW-0001").getAttribute("data-state")) === "assigned" &&
          (await row("HW-0001").locator("td.user").textContent()) === hana.email, "HW-0001 is hana's");
    await shot(owner, "otp-tokens");
    // Her session never proved the new factor: the next page asks for its code.
    await hanaPage.goto(S + "/home");
    await hanaPage.waitForURL(/\/login\/second$/);
    await hanaPage.fill('form[action="/login/totp"] input[name="code"]', await token.next());
    await hanaPage.click("#totp-submit");
    await hanaPage.waitForURL(/\/home$/);
    await logout(hanaPage);
    await loginWithTotp(hanaPage, S, hana.email, hana.password, token);
    await hanaPage.waitForURL(/\/home$/);
    await hanaPage.goto(S + "/security");
    check((await hanaPage.textContent("#totp-state")).includes("Hardware token HW-0001"), "her page names the token");
    await hanaPage.context().close();
    await row("HW-0001").locator("button.unassign").click();
    await owner.waitForURL(/\/org\/otp-tokens$/);
    check((await row("HW-0001").getAttribute("data-state")) === "unassigned", "unassigned");
    await row("HW-0002").locator("button.retire").click();
    await owner.waitForURL(/\/org\/otp-tokens$/);
    check((await row("HW-0002").getAttribute("data-state")) === "retired", "HW-0002 retired");
  }, "pskc");

  await step("account deletion, refused logins, and a restore within the month", async () => {
    await bobPage.goto(S + "/security");
    await bobPage.fill('#delete input[name="current"]', bob.password);
    await bobPage.click("#account-delete");
    check((await bobPage.textContent("#message")).includes("restore it until"), "the retention is shown");
    await login(bobPage, S, bob.email, bob.password);
    check((await bobPage.textContent("#error")).includes("deleted"), "a deleted account cannot log in: " + await bobPage.textContent("main"));
    await owner.goto(S + "/org");
    const row = owner.locator('tr.member[data-email="bob@acme.test"]');
    check((await row.textContent()).includes("deleted"), "the owner sees the deleted account");
    await shot(owner, "account-deleted");
    await memberAction(owner, bob.email, "restore");
    await loginWithTotp(bobPage, S, bob.email, bob.password, bobTotp);
    await bobPage.waitForURL(/\/home$/);
  });

  await step("the audit log: each change, filters, export, and the chain's status", async () => {
    await owner.goto(S + "/org/audit");
    const status = await owner.textContent("#chain-status");
    const m = /verified: (\d+) records/.exec(status);
    check(m && Number(m[1]) > 10, "the chain verifies: " + status);
    const types = new Set(await owner.locator("tr.event").evaluateAll((rows) => rows.map((r) => r.dataset.type)));
    for (const t of ["policy.changed", "membership.changed", "app.user_invited", "account.deleted", "account.restored",
                     "password.reset", "password.changed", "app.login"]) {
      check(types.has(t), "the log shows " + t + " among " + [...types].join(" "));
    }
    await owner.fill('#audit-filters input[name="type"]', "policy.changed");
    await owner.click("#audit-filter");
    const rows = await owner.locator("tr.event").evaluateAll((r) => r.map((x) => x.dataset.type));
    check(rows.length >= 5 && rows.every((t) => t === "policy.changed"), "filtered to policy changes: " + rows.join(" "));
    await shot(owner, "audit");
    const filtered = async (type) => {
      await owner.fill('#audit-filters input[name="type"]', type);
      await owner.click("#audit-filter");
      return owner.locator("tr.event").evaluateAll((r) => r.map((x) => x.dataset.type));
    };
    if (features.has("pskc")) {  // the hardware-token step ran
      const hw = await filtered("hwtoken.*");
      for (const t of ["hwtoken.imported", "hwtoken.assigned", "hwtoken.unassigned", "hwtoken.retired"]) {
        check(hw.includes(t), "the hardware tokens' changes: " + t + " among " + hw.join(" "));
      }
    }
    check((await filtered("permission.denied")).length >= 2, "the member's refused admin actions are in the log");
    await owner.fill('#audit-filters input[name="type"]', "");
    await owner.fill('#audit-filters input[name="user"]', "bob@acme.test");
    await owner.click("#audit-filter");
    const subjects = await owner.locator("tr.event td:nth-child(5)").allTextContents();
    check(subjects.length > 3 && subjects.every((x) => x === "bob@acme.test"), "filtered to bob: " + subjects.join(" "));
    const exported = await owner.request.get(S + "/org/audit/export?type=account.*");
    const lines = (await exported.text()).trim().split("\n").map((l) => JSON.parse(l));
    check(JSON.stringify(lines.map((l) => l.type)) ===
          JSON.stringify(["account.locked", "account.unlocked", "account.deleted", "account.restored"]),
          "the export, oldest first: " + JSON.stringify(lines.map((l) => l.type)));
  });

  await step("data protection: the service's own backups (verified) and its key rotation, seen happening", async () => {
    // The service ran its maintenance on its first request and every 20 s since: backups of the
    // SQLite store, kept a month, and key maintenance runs, each making a new key (--key-max-age 15s).
    await owner.goto(S + "/org/data");
    const backups = await owner.locator("#backups tr.backup td:first-child").allTextContents();
    check(backups.length >= 2 && backups.every((n) => /^mfa-backup-\d{8}T\d{6}/.test(n)), "a backup is listed: " + backups.join(" "));
    const verified = await owner.textContent("#backup-verified");
    const v = /verified: (\d+) entries, audit chain of\s+(\d+) records intact/.exec(verified);
    check(v && Number(v[1]) > 10 && Number(v[2]) > 10, "the newest backup, of a store with data, verifies: " + verified);
    const currentKey = async () => {
      const m = /Current key: (\d+)/.exec(await owner.textContent("#key-current"));
      check(m, "the current key is shown");
      return Number(m[1]);
    };
    check((await owner.textContent("#encryption")).includes("15 seconds old"), "the rotation policy is shown");
    const before = await currentKey();
    check(before > 1, "keys rotated already during the story: current key " + before);
    let after = before;
    for (let i = 0; i < 60 && after === before; i++) {
      await sleep(1000);
      await owner.goto(S + "/org/data");
      after = await currentKey();
    }
    check(after > before, `the current key changes: ${before} then ${after}`);
    // Alice's TOTP secret was written under key 1 at the start of the story: it still verifies.
    await logout(owner);
    await loginWithTotp(owner, S, alice.email, alice.password, aliceTotp);
    await owner.waitForURL(/\/home$/);
    await owner.goto(S + "/org/data");
    check(fs.readdirSync(path.join(tmp, "s", "backups")).every((f) => (fs.statSync(path.join(tmp, "s", "backups", f)).mode & 0o077) === 0),
          "backups are readable by the service's user only");
    await shot(owner, "data-protection");
  });

  await step("two instances on one Redis store: a code accepted on one is refused on the other; the IP allow list", async () => {
    const redisPort = await startRedis();
    const shared = ["--data", path.join(tmp, "r"), "--store", `redis://127.0.0.1:${redisPort}/0`, "--trust-proxy", "1"];
    const a = await startService("redis-a", shared);
    const b = await startService("redis-b", shared);
    const A = `http://localhost:${a.port}`, B = `http://localhost:${b.port}`;
    const dave = { email: "dave@beta.test", password: "Silver-Kettle-58-north" };
    secrets.push(dave.password);
    const pa = await newPage();
    await signup(pa, A, { email: dave.email, password: dave.password, org: "Beta", name: "Dave" });
    await pa.waitForURL(/\/home$/);
    const { app } = await enrollTotp(pa, A);
    await pa.goto(A + "/home");
    await logout(pa);
    const pb = await newPage();
    await login(pb, B, dave.email, dave.password);
    await pb.waitForURL(/\/login\/second$/);
    await pb.fill('form[action="/login/totp"] input[name="code"]', await app.next());
    await pb.click("#totp-submit");
    await pb.waitForURL(/\/home$/);
    await login(pa, A, dave.email, dave.password);
    await pa.fill('form[action="/login/totp"] input[name="code"]', app.replay());
    await pa.click("#totp-submit");
    check((await pa.textContent("#error")).includes("used already"), "instance A refuses the code instance B accepted");
    // A member on another network (the proxy's X-Forwarded-For), while the owner is on 127.0.0.1.
    await invite(pb, B, "erin@beta.test");
    const erin = await newPage({ extraHTTPHeaders: { "X-Forwarded-For": "203.0.113.7" } });
    secrets.push("Amber-Falcon-63-cloud");
    await signup(erin, A, { email: "erin@beta.test", password: "Amber-Falcon-63-cloud" });
    await erin.waitForURL(/\/home$/);
    await setPolicy(pb, B, { ipAllow: "127.0.0.0/8, ::1/128" });
    await erin.goto(A + "/home");
    check((await erin.textContent("#message")).includes("source address outside the allowed ranges"), "erin refused");
    await shot(erin, "ip-refused");
    await pb.goto(B + "/home");
    check(pb.url().endsWith("/home"), "the owner inside the range goes on");
  }, "redis");

  await step("behind TLS (an https:// origin): Secure __Host- cookies and HSTS", async () => {
    const t = await startService("tls", ["--data", path.join(tmp, "t"), "--origin", "https://app.example.test"]);
    const r = await fetch(`http://127.0.0.1:${t.port}/login`);
    const cookie = r.headers.get("set-cookie") || "";
    check(/^__Host-mfaweb=[^;]+;/.test(cookie) && /; Secure/.test(cookie) && /; HttpOnly/.test(cookie) &&
          /; Path=\//.test(cookie) && !/Domain=/i.test(cookie), "the cookie: " + cookie.replace(/=[^;]+/, "=…"));
    secrets.push(cookie.split(";")[0].split("=")[1]);
    check((r.headers.get("strict-transport-security") || "").startsWith("max-age="), "HSTS");
  });

  await step("nothing secret in the services' logs", async () => {
    const text = logs.join("\n");
    check(logs.length > 50, "the services logged their requests");
    for (const sec of secrets) check(!text.includes(sec), "a secret in the logs: " + sec.slice(0, 4) + "…");
  });

  await browser.close();
}

let rc = 0;
try {
  await main();
  console.log(`1..${passed}`);
  for (const why of skipped) console.log("SKIPPED: " + why);
  if (skipped.length) rc = 77;
} catch (e) {
  if (!passed || !String(e.stack).startsWith("Error: check failed")) console.log(e.stack || String(e));
  console.log(logs.slice(-40).join("\n"));
  rc = 1;
} finally {
  for (const c of children) c.kill("SIGTERM");
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(rc);
