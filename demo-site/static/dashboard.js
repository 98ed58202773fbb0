// Usage statistics: how many signatures the portal accepted, per day (an
// SVG bar chart drawn here, no library), per issuing CA, agency and kind.
import { $, api, h, initPage, show, svg, t, task } from "/static/portal.js";

const PERIODS = [7, 30, 90];
const KINDS = { citizen: "kindCitizen", approved: "kindApproved", issued: "kindIssued", login: "kindLogin" };
const days = $("#days");

initPage("dashboard");
show(days, () => PERIODS.map((n) => h("option", { value: n, selected: n === 30 }, t("days", { n }))));
days.addEventListener("change", load);
load();

async function load() {
  await task($("#usage"), [days], async () => {
    const usage = await api(`/api/usage?days=${encodeURIComponent(days.value)}`);
    $("#total").textContent = String(usage.total);
    show($("#since"), () => t("since", { date: dayLabel(usage.since, true) }));
    show($("#chart-box"), () => chart(usage.byDay));
    counts("#by-issuer", usage.byIssuer);
    counts("#by-agency", usage.byAgency);
    counts("#by-kind", usage.byKind, (label) => (KINDS[label] ? t(KINDS[label]) : label));
  }, $("#usage-note"));
}

function counts(selector, rows = [], name = (label) => label) {
  show($(selector).tBodies[0], () => (rows.length
    ? rows.map((r) => h("tr", {}, h("td", {}, name(r.label)), h("td", { class: "num" }, r.count)))
    : h("tr", {}, h("td", { colspan: 2 }, t("noData")))));
}

/** "2026-11-02" as 02/11 (or 02/11/2026). */
function dayLabel(iso, withYear = false) {
  const [y, m, d] = String(iso).split("-");
  return d ? `${d}/${m}${withYear ? `/${y}` : ""}` : String(iso);
}

/** A step of 1, 2 or 5 × 10^k giving about four grid lines up to `max`. */
function niceStep(max) {
  const raw = Math.max(1, max / 4);
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((f) => f * power).find((s) => s >= raw);
}

function chart(byDay = []) {
  const [width, height] = [760, 280];
  const m = { left: 44, right: 12, top: 12, bottom: 40 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const step = niceStep(Math.max(0, ...byDay.map((d) => d.count)));
  const top = step * Math.max(1, Math.ceil(Math.max(0, ...byDay.map((d) => d.count)) / step));
  const y = (v) => m.top + plotH - (v / top) * plotH;
  const band = plotW / Math.max(1, byDay.length);
  const every = Math.ceil(byDay.length / 12); // at most ~12 day labels: they never overlap
  const ticks = Array.from({ length: top / step + 1 }, (_, i) => i * step);
  const total = byDay.reduce((n, d) => n + d.count, 0);
  return svg("svg", { id: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${t("chartTitle")}: ${t("total")} ${total}` },
    ticks.map((v) => [
      svg("line", { class: v ? "grid" : "axis", x1: m.left, x2: width - m.right, y1: y(v), y2: y(v) }),
      svg("text", { x: m.left - 6, y: y(v) + 4, "text-anchor": "end" }, v),
    ]),
    svg("line", { class: "axis", x1: m.left, x2: m.left, y1: m.top, y2: m.top + plotH }),
    byDay.map((d, i) => {
      const x = m.left + i * band;
      return [
        svg("rect", { class: "bar", x: x + band * 0.15, width: band * 0.7, y: y(d.count), height: m.top + plotH - y(d.count), "data-count": d.count },
          svg("title", {}, t("chartTip", { date: dayLabel(d.label, true), n: d.count }))),
        (byDay.length - 1 - i) % every === 0 // counted from the newest day, which is always labelled
          ? svg("text", { x: x + band / 2, y: height - m.bottom + 16, "text-anchor": "middle" }, dayLabel(d.label))
          : null,
      ];
    }));
}
