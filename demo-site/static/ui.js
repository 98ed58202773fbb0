// The presentation basics every page shares: the language (the strings are
// in i18n.js), redrawing on a language switch, building elements without
// parsing HTML, and Vietnamese date and size formats.

import { STRINGS } from "/static/i18n.js";

const LANG_KEY = "kyso-demo-lang";
// Times are shown as a Vietnamese clerk reads them, whatever the PC's zone.
const TIME_ZONE = "Asia/Ho_Chi_Minh";

let lang = "vi";
try {
  if (localStorage.getItem(LANG_KEY) === "en") lang = "en";
} catch {
  // storage blocked (private mode, policy): stay in Vietnamese
}

/** The page language, "vi" or "en". */
export const getLang = () => lang;

/** The string `key` in the current language, with `{name}` filled from `vars`. */
export function t(key, vars = {}, language = lang) {
  const text = STRINGS[key]?.[language === "en" ? 1 : 0] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** A message object's text in the current language. */
export const textOf = (m) => (lang === "vi" ? m.messageVi ?? m.message : m.message ?? m.messageVi);

// Dynamic content is drawn by render functions kept per element, so a
// language switch redraws it without the page keeping its own state.
const live = new Map();
const langHooks = [];

/** Replaces `el`'s children with what `render()` returns, now and after every language switch. */
export function show(el, render) {
  live.set(el, render);
  paint(el, render);
}

function paint(el, render) {
  const keep = el instanceof HTMLSelectElement ? el.value : "";
  el.replaceChildren(...[render() ?? []].flat(Infinity).filter((c) => c != null && c !== false && c !== ""));
  if (keep && [...el.options].some((o) => o.value === keep)) el.value = keep;
}

/** Runs `fn` after every language switch (for attributes `show` does not cover). */
export const onLangChange = (fn) => langHooks.push(fn);

/** Switches the language, stores it and redraws the page. */
export function setLang(next) {
  lang = next;
  try {
    localStorage.setItem(LANG_KEY, next);
  } catch {
    // the switch still works for this page
  }
  applyStatic();
  for (const [el, render] of live) el.isConnected ? paint(el, render) : live.delete(el);
  for (const fn of langHooks) fn();
}

/** Translates the page's static `data-i18n*` elements and its title. */
export function applyStatic() {
  const root = document.documentElement;
  root.lang = lang;
  document.title = `${t(root.dataset.title ?? "site")} · Kyso demo`;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of document.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  const other = document.querySelector("#lang-switch");
  if (other) other.lang = lang === "vi" ? "en" : "vi";
}

// ---------------------------------------------------------------- DOM

/** `document.querySelector`. */
export const $ = (selector) => document.querySelector(selector);

/**
 * Builds an element. Attributes: `on…` functions become listeners, `true`
 * an empty attribute, `null`/`false` are skipped. Children are nodes or
 * text (inserted as text, never parsed), arrays are flattened.
 */
export const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);

/** Like `h` for SVG elements. */
export const svg = (tag, attrs, ...children) =>
  build(document.createElementNS("http://www.w3.org/2000/svg", tag), attrs, children);

function build(el, attrs, children) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  el.append(...children.flat(Infinity).filter((c) => c != null && c !== false && c !== ""));
  return el;
}

// ---------------------------------------------------------------- formats

/** Lower-case hex of bytes (digests). */
export const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** A size for people: "1,5 MiB" in Vietnamese, "1.5 MiB" in English. */
export function formatBytes(n) {
  const units = ["B", "KiB", "MiB", "GiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) [n, i] = [n / 1024, i + 1];
  return `${new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-GB", { maximumFractionDigits: i ? 1 : 0 }).format(n)} ${units[i]}`;
}

function parts(value) {
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  const f = new Intl.DateTimeFormat("en-GB", {
    timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
  });
  return Object.fromEntries(f.formatToParts(date).map((p) => [p.type, p.value]));
}

/** dd/mm/yyyy in Vietnam; `value` is unix seconds or an ISO string. */
export function formatDate(value) {
  const p = parts(value);
  return p ? `${p.day}/${p.month}/${p.year}` : String(value ?? "");
}

/** dd/mm/yyyy HH:MM:SS in Vietnam (UTC+7). */
export function formatTime(value) {
  const p = parts(value);
  return p ? `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}:${p.second} (UTC+7)` : String(value ?? "");
}

/** Today in Vietnam as dd/mm/yyyy (the Decree 30 date of issue). */
export const todayVn = () => formatDate(Date.now() / 1000);

/** The CN of a one-line distinguished name. */
export function commonName(dn = "") {
  const m = /(?:^|,\s*)CN=((?:\\.|[^,\\])+)/.exec(dn);
  return m ? m[1].replace(/\\(.)/g, "$1").trim() : dn;
}

/** Identifiers as the certificate writes them: "MST:…, CCCD:…". */
export const identifiers = (ids = {}) => Object.entries(ids).filter(([, v]) => v).map(([k, v]) => `${k.toUpperCase()}:${v}`).join(", ");
