// Decree 30/2020 signing of an administrative document: the leader approves
// the draft (visible signature with the handwritten image), then the clerk
// issues it (the organisation's signature with the seal, number and date),
// each signature added as an incremental update the server checks.
import {
  $, api, chosenCertificate, connect, fetchBytes, fieldError, h, initPage, loadConfig, onLangChange, readPdf,
  reportView, required, sampleFor, show, showError, summariesView, t, task, toBase64, todayVn, useSample,
} from "/static/portal.js";

let documents = [];
let viewing;

initPage("staff", { agent: true });
$("#issuedDate").value = todayVn();

loadConfig().then((config) => {
  show($("#agencies"), () => config.agencies.map((name) => h("option", { value: name })));
  if (!$("#organization").value) $("#organization").value = config.agencies[0] ?? "";
  $("#use-sample-draft").hidden = !sampleFor(config, "draft");
}, (e) => showError($("#approve-result"), e));

refreshDocuments();

$("#use-sample-draft").addEventListener("click", () =>
  task($("#draft-note"), $("#use-sample-draft"), async () => {
    const file = await useSample($("#draft-file"), "draft");
    return () => t("sampleChosen", { name: file.name });
  }));

const onSubmit = (id, fn) => $(id).addEventListener("submit", (event) => {
  event.preventDefault();
  fn();
});
onSubmit("#approve-form", approve);
onSubmit("#issue-form", issue);

async function approve() {
  const result = $("#approve-result");
  delete result.dataset.id;
  await task(result, [$("#approve"), $("#use-sample-draft")], async (step) => {
    const { file, bytes } = await readPdf($("#draft-file"));
    const title = required("title");
    const organization = required("organization");
    const kyso = await connect(); // first: a missing agent explains an empty picker
    const certificateId = chosenCertificate($("#leader-cert"));
    const image = await fetchBytes("/api/stamps/signature.png");
    step("signing");
    const { pdf } = await kyso.signPdf(bytes, {
      certificateId, role: "approved", image, organization, reason: "Phê duyệt", documentName: file.name,
    });
    step("uploading");
    const doc = await api("/api/documents", {
      method: "POST",
      body: { title, organization, fileName: file.name, pdf: toBase64(pdf) },
    });
    await refreshDocuments(doc.id);
    result.dataset.id = doc.id;
    return () => [h("p", {}, t("approved", { id: doc.id })), summariesView(doc.signatures)];
  });
}

async function issue() {
  await task($("#issue-result"), [$("#issue")], async (step) => {
    const id = $("#issue-doc").value;
    const doc = documents.find((d) => String(d.id) === id);
    if (!doc) throw fieldError("issue-doc", "errChoose");
    const docNumber = required("docNumber");
    const issuedDate = required("issuedDate");
    if (!/^\d{2}\/\d{2}\/\d{4}$/.test(issuedDate)) throw fieldError("issuedDate", "dateInvalid");
    const kyso = await connect();
    const certificateId = chosenCertificate($("#clerk-cert"));
    step("downloading");
    const [bytes, seal] = await Promise.all([fetchBytes(`/api/documents/${id}/pdf`), fetchBytes("/api/stamps/seal.png")]);
    step("signing");
    const { pdf } = await kyso.signPdf(bytes, {
      certificateId, role: "issued", seal, docNumber, issuedDate, organization: doc.organization, documentName: doc.title,
    });
    step("uploading");
    const answer = await api(`/api/documents/${id}/issue`, {
      method: "POST",
      body: { docNumber, issuedDate, pdf: toBase64(pdf) },
    });
    await refreshDocuments();
    if (viewing === doc.id) view(doc.id);
    return () => [h("p", {}, t("issued", { number: docNumber })), summariesView(answer.signatures)];
  });
}

/** Reloads the table and the clerk's list; `select` is an id to pick there. */
async function refreshDocuments(select) {
  const table = $("#documents");
  await task(table, [], async () => {
    ({ documents } = await api("/api/documents"));
    show(table.tBodies[0], () => (documents.length ? documents.map(row) : h("tr", {}, h("td", { colspan: 8 }, t("noDocs")))));
    const approved = documents.filter((d) => d.status === "approved");
    const picker = $("#issue-doc");
    show(picker, () => (approved.length
      ? approved.map((d) => h("option", { value: d.id }, `${d.id} — ${d.title} (${d.organization})`))
      : h("option", { value: "" }, t("noApproved"))));
    if (select != null && approved.some((d) => d.id === select)) picker.value = String(select);
  }, $("#documents-note"));
}

function row(d) {
  return h("tr", { "data-id": d.id, "data-status": d.status, "data-selected": viewing === d.id },
    h("td", {}, d.id), h("td", {}, d.title), h("td", {}, d.organization),
    h("td", {}, h("span", { class: `status ${d.status}` }, t(d.status === "issued" ? "issuedStatus" : "approvedStatus"))),
    h("td", {}, d.docNumber ?? "—"), h("td", {}, d.issuedDate ?? "—"),
    h("td", {}, h("a", { href: `/api/documents/${d.id}/pdf`, download: `van-ban-${d.id}.pdf` }, "PDF")),
    h("td", {}, h("button", { type: "button", class: "small secondary", "data-view": d.id, onclick: () => view(d.id) }, t("view"))));
}

/** Shows one document: its page preview (the stamps) and the server's report. */
async function view(id) {
  viewing = id;
  for (const tr of $("#documents").tBodies[0].rows) tr.toggleAttribute("data-selected", tr.dataset.id === String(id));
  $("#doc-view").hidden = false;
  // A new element each time: the same URL shows a different page once the
  // seal is added, and an old load must not mark the new one loaded.
  const img = h("img", { id: "preview", src: `/api/documents/${id}/preview.png?page=1`, alt: t("previewAlt", { id }) });
  img.addEventListener("load", () => (img.dataset.loaded = "1"));
  img.addEventListener("error", () => {
    img.dataset.state = "error";
    img.alt = t("previewError");
  });
  $("#preview").replaceWith(img);
  const report = $("#doc-report");
  delete report.dataset.indication;
  show($("#doc-view-title"), () => t("docView", { id, title: documents.find((d) => d.id === id)?.title ?? "" }));
  $("#doc-view").scrollIntoView({ behavior: "smooth", block: "start" });
  await task(report, [], async () => {
    const doc = await api(`/api/documents/${id}`);
    report.dataset.indication = doc.report.indication;
    return () => reportView(doc.report);
  });
}

onLangChange(() => {
  const img = $("#preview");
  if (img.src) img.alt = t(img.dataset.state === "error" ? "previewError" : "previewAlt", { id: viewing });
});
