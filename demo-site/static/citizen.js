// Citizen's application: the form, the PDF signed in the page (invisible
// PAdES signature), then the server verifies it and files the submission.
import {
  $, api, chosenCertificate, connect, fieldError, h, initPage, loadConfig, readPdf, required, sampleFor, show,
  showError, summariesView, t, task, toBase64, useSample,
} from "/static/portal.js";

const FIELDS = ["fullName", "cccd", "businessName", "address", "businessLine", "agency"];
const form = $("#citizen-form");
const result = $("#result");

initPage("citizen", { agent: true });

loadConfig().then((config) => {
  show($("#agency"), () => [
    h("option", { value: "" }, t("chooseAgency")),
    config.agencies.map((name) => h("option", { value: name }, name)),
  ]);
  $("#use-sample").hidden = !sampleFor(config, "citizen");
}, (e) => showError(result, e));

$("#use-sample").addEventListener("click", () =>
  task($("#file-note"), $("#use-sample"), async () => {
    const file = await useSample($("#file"), "citizen");
    return () => t("sampleChosen", { name: file.name });
  }));

form.addEventListener("submit", (event) => {
  event.preventDefault();
  submit();
});

// The same checks as the server's, so most mistakes are caught before the
// user is asked for a PIN; the server still decides.
function values() {
  const out = Object.fromEntries(FIELDS.map((id) => [id, required(id, id === "agency" ? "errChoose" : "errRequired")]));
  if (!/^\d{12}$/.test(out.cccd)) throw fieldError("cccd", "cccdInvalid");
  return out;
}

async function submit() {
  await task(result, [$("#sign-submit"), $("#use-sample")], async (step) => {
    const fields = values();
    const { file, bytes } = await readPdf($("#file"));
    const kyso = await connect(); // first: a missing agent explains an empty picker
    const certificateId = chosenCertificate($("#certificate"));
    step("signing");
    const { pdf } = await kyso.signPdf(bytes, {
      certificateId,
      documentName: file.name,
      reason: "Nộp hồ sơ đăng ký hộ kinh doanh",
    });
    step("uploading");
    const answer = await api("/api/submissions", {
      method: "POST",
      body: { ...fields, fileName: file.name, pdf: toBase64(pdf) },
    });
    return () => [
      h("p", {}, t("submitted", { id: answer.id })),
      summariesView(answer.signatures),
      h("p", {}, h("a", { id: "receipt-link", class: "button", href: `/receipt.html?id=${encodeURIComponent(answer.id)}` }, t("receiptLink"))),
    ];
  });
}
