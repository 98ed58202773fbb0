// Receipt of a submission: what was filed and the server's own verification
// of the signed PDF (never the page's).
import { $, api, formatTime, h, initPage, PortalError, reportView, t, task } from "/static/portal.js";

initPage("receipt");

const id = new URLSearchParams(location.search).get("id") ?? "";

task($("#receipt"), [], async () => {
  if (!/^\d+$/.test(id)) throw PortalError.of("BAD_ID", "recNoId");
  const s = await api(`/api/submissions/${id}`);
  const facts = [
    ["recNumber", s.id], ["recCreated", formatTime(s.createdAt)], ["fullName", s.fullName], ["cccd", s.cccd],
    ["businessName", s.businessName], ["address", s.address], ["businessLine", s.businessLine],
    ["agency", s.agency], ["recFile", s.fileName],
  ];
  return () => [
    h("dl", { class: "facts" }, facts.map(([key, value]) => [h("dt", {}, t(key)), h("dd", {}, value)])),
    h("p", {}, h("a", { id: "download", class: "button", href: `/api/submissions/${id}/pdf`, download: s.fileName }, t("recDownload"))),
    h("h2", {}, t("recReport")),
    h("div", { id: "report", "data-indication": s.report.indication }, reportView(s.report)),
  ];
});
