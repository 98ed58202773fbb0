// Verification in the page with the SDK's wasm: no agent (Kyso.connect is
// never called here) and the file never leaves the browser.
import { $, formatBytes, h, hex, initPage, loadConfig, loadSdk, reportView, show, t, task } from "/static/portal.js";

initPage("verify");

const input = $("#verify-file");
const content = $("#verify-content");
const result = $("#verify-result");
const drop = $("#drop-zone");
// The demo PKI's root; without the server the bundled roots still apply.
const anchors = loadConfig().then((c) => c.trustAnchors ?? [], () => []);

input.addEventListener("change", () => {
  content.value = "";
  verify();
});
content.addEventListener("change", verify);

drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  if (!event.dataTransfer.files.length) return;
  input.files = event.dataTransfer.files;
  input.dispatchEvent(new Event("change"));
});

async function isPdf(file) {
  const head = new Uint8Array(await file.slice(0, 5).arrayBuffer());
  return String.fromCharCode(...head) === "%PDF-";
}

const facts = (file, digest) => [
  [t("infoName"), file.name],
  [t("infoSize"), `${formatBytes(file.size)} (${t("bytes", { n: file.size })})`],
  ["SHA-256", h("code", {}, hex(digest))],
];

async function verify() {
  const file = input.files[0];
  if (!file) return;
  const detached = !(await isPdf(file));
  $("#content-field").hidden = !detached;
  const original = detached ? content.files[0] : undefined;
  const info = $("#verify-info");
  info.hidden = true;
  delete result.dataset.indication;
  await task(result, [input, content], async (step) => {
    step("verifying");
    const { Kyso } = await loadSdk();
    const [digest, originalDigest] = await Promise.all([Kyso.hash(file), original && Kyso.hash(original)]);
    info.hidden = false;
    show(info, () => [
      facts(file, digest),
      original ? facts(original, originalDigest).map(([k, v]) => [`${t("infoContent")} — ${k}`, v]) : [],
    ].flat().map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
    const report = await Kyso.verify(file, { content: original, trustAnchors: await anchors });
    result.dataset.indication = report.indication;
    return () => reportView(report);
  });
}
