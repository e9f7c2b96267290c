/* Socle respondent form: the optional script (progressive enhancement; the form works without it).
 *
 * - Runs the questionnaire in the browser from /r/<code>/questionnaire.json (made by the server from the same
 *   presentation data as its pages): one section per screen, the same markup, relevance and constraints mirrored
 *   by walking the expression trees the server parsed (no parser here, never eval).
 * - A finished form gets a UUID made here and goes to an outbox in IndexedDB; a sender posts it to
 *   /r/<code>/submissions with exponential backoff (network errors and 5xx), keeps it visible on 409/422, and shows
 *   how many wait. The server stays the authority: its 422 errors are shown to the person.
 * - Registers the service worker (/r/sw.js) so that a link opened once online works offline.
 * - A read-aloud button (speech synthesis) when the browser has one.
 * See docs/collection.md, "Offline and outbox". */
(() => {
  "use strict";

  // --- Expressions: trees made by socle.collection.views_offline.tree ------------------------------------------

  const NUMERIC = /^\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*$/;
  const ISO_DATE = /^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$/;

  function clean(x) {
    // A finite number below 1E300, without the noise of binary fractions (0.1 + 0.2 = 0.3 as on the server).
    if (typeof x !== "number" || !isFinite(x) || Math.abs(x) >= 1e300) return null;
    return parseFloat(x.toPrecision(15));
  }
  function validDate(text) {
    const [y, m, d] = text.split("-").map(Number);
    const day = new Date(Date.UTC(y, m - 1, d));
    return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d && y >= 1;
  }
  function fromInput(v) {
    if (v === undefined || v === null) return "";
    if (typeof v === "boolean" || typeof v === "string") return v;
    if (typeof v === "number") return clean(v);
    if (Array.isArray(v)) {
      return v.filter((i) => typeof i !== "boolean").map((i) => (typeof i === "number" ? asText(clean(i)) : String(i)));
    }
    return null;
  }
  function asNumber(v) {
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "number") return v;
    if (typeof v === "string" && NUMERIC.test(v)) return clean(parseFloat(v));
    return null;
  }
  function asDate(v) {
    return typeof v === "string" && ISO_DATE.test(v) && validDate(v.trim()) ? v.trim() : null;
  }
  function asText(v) {
    if (v === null) return "";
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") return String(v);
    if (Array.isArray(v)) return v.join(" ");
    return v;
  }
  function truthy(v) {
    if (v === null) return false;
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return v !== 0;
    if (typeof v === "string" || Array.isArray(v)) return v.length > 0;
    return true;
  }
  function isEmpty(v) {
    return v === null || v === "" || (Array.isArray(v) && v.length === 0);
  }
  function arithmetic(op, a, b) {
    if ((op === "div" || op === "mod") && b === 0) return null;
    if (op === "+") return clean(a + b);
    if (op === "-") return clean(a - b);
    if (op === "*") return clean(a * b);
    if (op === "div") return clean(a / b);
    return clean(a % b); // truncated toward zero, as XPath's mod
  }
  function order(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const HOLDS = {
    "=": (o) => o === 0, "!=": (o) => o !== 0, "<": (o) => o < 0, "<=": (o) => o <= 0, ">": (o) => o > 0, ">=": (o) => o >= 0,
  };
  function compare(op, left, right) {
    if (left === null || right === null) return false;
    const ln = asNumber(left), rn = asNumber(right);
    if (ln !== null && rn !== null) return HOLDS[op](order(ln, rn));
    const ld = asDate(left), rd = asDate(right);
    if (ld !== null && rd !== null) return HOLDS[op](order(ld, rd));
    if (op === "=") return asText(left) === asText(right);
    if (op === "!=") return asText(left) !== asText(right);
    return false;
  }
  function round(x, digits) {
    digits = Math.max(-310, Math.min(350, digits));
    const sign = x < 0 ? -1 : 1;
    const shifted = Math.round(Number(Math.abs(x) + "e" + digits)); // half away from zero
    return clean(sign * Number(shifted + "e" + -digits));
  }
  function today() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  }
  function call(fn, args, ctx) {
    if (fn === "if") return value(truthy(value(args[0], ctx)) ? args[1] : args[2], ctx);
    if (fn === "coalesce") {
      const first = value(args[0], ctx);
      return isEmpty(first) ? value(args[1], ctx) : first;
    }
    if (fn === "today") return today();
    const values = args.map((a) => value(a, ctx));
    if (fn === "not") return !truthy(values[0]);
    if (fn === "selected") {
      const [answer, choice] = values;
      if (isEmpty(answer) || choice === null) return false;
      return Array.isArray(answer) ? answer.includes(asText(choice)) : asText(answer) === asText(choice);
    }
    if (fn === "count-selected") return Array.isArray(values[0]) ? values[0].length : isEmpty(values[0]) ? 0 : 1;
    if (fn === "string-length") return Array.from(asText(values[0])).length;
    const numbers = values.map(asNumber);
    if (numbers.some((n) => n === null)) return null;
    if (fn === "number") return numbers[0];
    if (fn === "int") return Math.trunc(numbers[0]);
    if (fn === "round") return round(numbers[0], numbers.length > 1 ? Math.trunc(numbers[1]) : 0);
    if (fn === "min") return Math.min(...numbers);
    if (fn === "max") return Math.max(...numbers);
    if (fn === "sum") return numbers.reduce((total, n) => (total === null ? null : arithmetic("+", total, n)), 0);
    return null;
  }
  function value(node, ctx) {
    switch (node[0]) {
      case "num": return clean(Number(node[1]));
      case "str": return node[1];
      case "ref": return fromInput(Object.prototype.hasOwnProperty.call(ctx.values, node[1]) ? ctx.values[node[1]] : null);
      case "cur": return ctx.current;
      case "neg": {
        const x = asNumber(value(node[1], ctx));
        return x === null ? null : clean(-x);
      }
      case "ari": {
        let result = asNumber(value(node[1], ctx));
        for (const [op, operand] of node[2]) {
          const right = asNumber(value(operand, ctx));
          result = result === null || right === null ? null : arithmetic(op, result, right);
        }
        return result;
      }
      case "cmp": return compare(node[1], value(node[2], ctx), value(node[3], ctx));
      case "and": return node[1].every((o) => truthy(value(o, ctx)));
      case "or": return node[1].some((o) => truthy(value(o, ctx)));
      case "call": return call(node[1], node[2], ctx);
    }
    return null;
  }
  function evaluate(tree, values, current) {
    return value(tree, { values, current: fromInput(current) });
  }
  window.SocleExpressions = Object.freeze({ evaluate }); // read by tests/test_respondent_offline.py

  const main = document.getElementById("main");
  if (!main || !main.dataset.questionnaire || !window.fetch || !window.Promise) return;

  // --- The questionnaire: reading answers, relevance, checks (socle.lib.collection.answers, mirrored) ----------

  let Q = null; // the questionnaire JSON of the language shown
  let T = {}; // Socle's strings, translated by the server
  const loaded = {}; // variant key → questionnaire JSON
  const Fault = (code) => ({ fault: code });
  const isFault = (v) => v !== null && typeof v === "object" && !Array.isArray(v) && "fault" in v;
  const CHOICES = ["single_choice", "scale", "either_or"];
  const FORBIDDEN = /[\u0000]|[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/;

  function questions() {
    return Q.sections.flatMap((s) => s.questions);
  }
  function read(q, raw) {
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw === "string") {
      raw = raw.trim();
      if (!raw) return undefined;
    } else if (Array.isArray(raw) && !raw.length) return undefined;
    if (q.type === "note") return Fault("wrong_shape");
    if (raw === "dk") return q.dk ? "dk" : Fault("dont_know_not_offered");
    if (q.type !== "multiple_choice" && Array.isArray(raw)) return Fault("wrong_shape");
    const values = (q.choices || []).map((c) => c[0]);
    if (CHOICES.includes(q.type)) return values.includes(String(raw)) ? String(raw) : Fault("not_a_choice");
    if (q.type === "multiple_choice") {
      const items = (Array.isArray(raw) ? raw : String(raw).split(/\s+/)).map((i) => String(i).trim()).filter(Boolean);
      if (!items.length) return undefined;
      if (items.includes("dk")) return !q.dk ? Fault("dont_know_not_offered") : items.every((i) => i === "dk") ? "dk" : Fault("dk_alone");
      if (!items.every((i) => values.includes(i))) return Fault("not_a_choice");
      return values.filter((v) => items.includes(v));
    }
    const text = String(raw);
    if (q.type === "integer") {
      if (!/^[+-]?[0-9]{1,13}$/.test(text) || Math.abs(Number(text)) > 1e12) return Fault("not_an_integer");
      return Number(text);
    }
    if (q.type === "decimal") {
      if (!/^[+-]?(?:[0-9]{1,13}(?:[.,][0-9]{0,12})?|[.,][0-9]{1,12})$/.test(text)) return Fault("not_a_number");
      const number = Number(text.replace(",", "."));
      return Math.abs(number) > 1e12 ? Fault("not_a_number") : number;
    }
    if (q.type === "date") return /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(text) && validDate(text) ? text : Fault("not_a_date");
    if (Array.from(text).length > q.max) return Fault("too_long");
    return FORBIDDEN.test(text) ? Fault("wrong_shape") : text;
  }
  function context(values) {
    if (!Q.scores.length) return values;
    const ctx = Object.assign({}, values);
    for (const score of Q.scores) ctx[score.name] = evaluate(score.t, ctx);
    return ctx;
  }
  function judge(rule, values, broken, current) {
    // Whether a rule holds (true without one), or null when it reads an answer that was refused.
    if (!rule) return true;
    if (broken && rule.refs.some((name) => broken.has(name))) return null;
    return truthy(evaluate(rule.t, context(values), current));
  }
  function both(first, second) {
    if (first === false || second === false) return false;
    return first === null || second === null ? null : true;
  }
  function relevant(answers) {
    const seen = {}, result = {};
    for (const section of Q.sections) {
      const sectionAsked = judge(section.rel, seen) !== false;
      for (const q of section.questions) {
        const asked = sectionAsked && judge(q.rel, seen) !== false;
        result[q.name] = asked;
        if (asked && q.type !== "note") {
          const v = read(q, answers[q.name]);
          if (v !== undefined && !isFault(v)) seen[q.name] = v;
        }
      }
    }
    return result;
  }
  function check(raw) {
    // What the server's Questionnaire.check finds: at most one error code per question.
    const errors = {}, broken = new Set(), kept = {};
    for (const section of Q.sections) {
      const sectionAsked = judge(section.rel, kept, broken);
      for (const q of section.questions) {
        const v = read(q, raw[q.name]);
        if (q.type === "note") continue;
        const asked = sectionAsked === false ? false : both(sectionAsked, judge(q.rel, kept, broken));
        if (v === undefined) {
          if (asked === true && q.req) errors[q.name] = "required";
          continue;
        }
        if (asked === false) errors[q.name] = "not_asked";
        else if (isFault(v)) errors[q.name] = v.fault;
        if (asked === false) continue;
        if (isFault(v) || asked === null) broken.add(q.name);
        else kept[q.name] = v;
      }
    }
    for (const q of questions()) {
      const v = kept[q.name];
      if (!q.con || v === undefined || v === "dk") continue;
      if (judge(q.con, kept, broken, v) === false) errors[q.name] = "constraint";
    }
    return errors;
  }
  function message(q, code) {
    if (code === "required") return q.m_req;
    if (code === "constraint") return q.m_con;
    if (code === "too_long") return q.m_long;
    return Q.errors[code] || Q.errors.other;
  }
  function prune(answers) {
    const asked = relevant(answers);
    for (const name of Object.keys(answers)) if (!asked[name]) delete answers[name];
    return asked;
  }
  function relevantSections(answers) {
    const asked = relevant(answers);
    return Q.sections.map((s, i) => (s.questions.some((q) => asked[q.name]) ? i : -1)).filter((i) => i >= 0);
  }
  function asksConsent(answers) {
    return questions().some((q) => (q.type === "text" || q.type === "long_text") && answers[q.name] && answers[q.name] !== "dk");
  }

  // --- Small helpers -------------------------------------------------------------------------------------------

  function el(tag, attrs, ...kids) {
    const node = document.createElement(tag);
    for (const [key, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (key === "text") node.textContent = v;
      else node.setAttribute(key, v === true ? "" : v);
    }
    for (const kid of kids.flat(2)) if (kid !== null && kid !== undefined && kid !== false) node.append(kid);
    return node;
  }
  function fmt(template, params) {
    return String(template).replace(/%\((\w+)\)s/g, (whole, name) => (name in params ? params[name] : whole));
  }
  function plural(one, other, count) {
    let form = count === 1 ? "one" : "other";
    try {
      form = new Intl.PluralRules(Q.ui).select(count);
    } catch (e) { /* old browser: the English rule */ }
    return fmt(form === "one" ? one : other, { count, counter: count });
  }
  function ui() {
    return Q.ui !== Q.lang ? Q.ui : null; // Socle's strings in another language than the questionnaire's
  }
  function time(ms) {
    return new Date(ms).toLocaleTimeString(Q ? Q.ui : undefined, { hour: "2-digit", minute: "2-digit" });
  }
  function newUuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
    else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  function cookie(name) {
    const found = document.cookie.split("; ").find((part) => part.startsWith(name + "="));
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }
  function variantUrl(lang, easy) {
    return `${main.dataset.questionnaire}?lang=${encodeURIComponent(lang)}&easy=${easy ? 1 : 0}`;
  }
  async function loadVariant(lang, easy) {
    const key = `${lang}|${easy ? 1 : 0}`;
    if (loaded[key]) return loaded[key];
    const response = await fetch(variantUrl(lang, easy), { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`questionnaire: HTTP ${response.status}`);
    const data = await response.json();
    loaded[`${data.lang}|${data.easy ? 1 : 0}`] = data;
    loaded[key] = data;
    return data;
  }
  function use(data) {
    Q = data;
    T = data.t;
    document.documentElement.lang = data.lang;
    if (data.rtl) document.documentElement.dir = "rtl";
    else document.documentElement.removeAttribute("dir");
  }

  // --- The person's answers in progress: this tab only (sessionStorage), never after the send -------------------

  const DRAFT = `socle-draft:${main.dataset.questionnaire}`;
  const THANKS_MS = 30 * 60 * 1000;
  let state = null;

  function saveDraft() {
    try {
      if (state) sessionStorage.setItem(DRAFT, JSON.stringify(state));
      else sessionStorage.removeItem(DRAFT);
    } catch (e) { /* storage full or refused: the answers stay in this page */ }
  }
  function loadDraft() {
    try {
      const found = JSON.parse(sessionStorage.getItem(DRAFT) || "null");
      if (found && found.step === "thanks" && Date.now() - found.at > THANKS_MS) return null;
      return found && typeof found === "object" && found.uuid ? found : null;
    } catch (e) {
      return null;
    }
  }

  // --- Screens -------------------------------------------------------------------------------------------------

  let outboxPanel = null;

  function show(nodes, title, focus) {
    if (window.speechSynthesis && speaking) stopSpeaking();
    for (const child of Array.from(main.childNodes)) if (child !== outboxPanel) child.remove();
    main.append(...nodes.filter((node) => node !== null && node !== undefined));
    document.title = title;
    main.dataset.screen = state ? state.step : "start";
    addListenButtons();
    window.scrollTo(0, 0);
    const target = focus || main.querySelector("h1");
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }
  function progress(current) {
    const steps = (Q.asks_code ? ["code"] : []).concat(relevantSections(state.answers), ["closing"]);
    const position = steps.indexOf(current) + 1 || 1;
    return [
      el("div", { class: "progress", lang: ui() },
        el("p", { id: "progress-text", text: fmt(T.step, { current: position, total: steps.length }) }),
        el("progress", { value: position, max: steps.length, "aria-labelledby": "progress-text" }, `${position}/${steps.length}`)),
      el("p", { class: "context", text: Q.title }),
    ];
  }
  function buttons(...list) {
    return el("div", { class: "buttons", lang: ui() }, list.map(([value, text, secondary]) =>
      el("button", { type: "submit", name: "action", value, class: secondary ? "secondary" : null, text })));
  }
  function summary(items, title) {
    return el("div", { class: "error-summary", role: "alert", "aria-labelledby": "error-title", tabindex: "-1", lang: ui() },
      el("h2", { id: "error-title", text: title }),
      el("ul", {}, items.map((item) => el("li", {}, el("a", { href: `#${item.target}`, text: item.text })))));
  }
  function form(handler) {
    const node = el("form", { method: "post", action: Q.urls.form, autocomplete: "off", novalidate: true });
    let last = null;
    node.addEventListener("click", (event) => {
      const button = event.target.closest("button[type=submit]");
      if (button) last = button;
    });
    node.addEventListener("submit", (event) => {
      event.preventDefault();
      const submitter = event.submitter || last || node.querySelector("button[type=submit]");
      handler(submitter ? submitter.value : "", node);
    });
    return node;
  }

  // The start screen (also what the server shows first: its form is taken over by `onStart`).
  function startScreen() {
    const draft = loadDraft();
    const nodes = [el("h1", { text: Q.title })];
    const node = el("form", { method: "post", action: Q.urls.form, autocomplete: "off" });
    if (Q.languages.length > 1) {
      node.append(el("fieldset", {}, el("legend", { lang: ui(), text: T.language }),
        el("div", { class: "options" }, Q.languages.map(([code, name]) =>
          el("label", { class: "option", for: `lang-${code}` },
            el("input", { type: "radio", id: `lang-${code}`, name: "lang", value: code, checked: code === Q.lang }),
            el("span", { lang: code, text: name }))))));
    } else node.append(el("input", { type: "hidden", name: "lang", value: Q.lang }));
    if (Q.has_easy) {
      node.append(el("div", { class: "options", lang: ui() }, el("label", { class: "option", for: "easy" },
        el("input", { type: "checkbox", id: "easy", name: "easy", value: "1", checked: Q.easy }), el("span", { text: T.easy }))));
    }
    if (Q.languages.length > 1 || Q.has_easy) {
      node.append(el("button", { type: "submit", name: "action", value: "show", class: "secondary", lang: ui(), text: T.show }));
    }
    if (Q.intro) node.append(el("p", { text: Q.intro }));
    node.append(el("h2", { lang: ui(), text: T.before }),
      el("ul", { class: "facts", lang: ui() }, [T.fact_name, T.fact_who, T.fact_network, T.fact_send].map((t) => el("li", { text: t }))));
    if (Q.staff) {
      const mode = (draft && draft.mode) || "assisted";
      node.append(el("fieldset", {}, el("legend", { lang: ui(), text: T.staff }),
        el("div", { class: "options", lang: ui() }, [["assisted", T.mode_assisted], ["paper", T.mode_paper]].map(([v, text]) =>
          el("label", { class: "option", for: `mode-${v}` },
            el("input", { type: "radio", id: `mode-${v}`, name: "mode", value: v, checked: v === mode }), el("span", { text }))))));
    }
    const resuming = draft && draft.step !== "thanks" && Object.keys(draft.answers || {}).length;
    node.append(el("div", { class: "buttons", lang: ui() },
      el("button", { type: "submit", name: "action", value: "start", text: resuming ? T.continue : T.start })));
    takeOver(node);
    nodes.push(node);
    state = null;
    show(nodes, Q.title, null);
  }

  function takeOver(node) {
    // The start form, the server's or ours: run the questionnaire here when its JSON is at hand.
    let last = null;
    node.addEventListener("click", (event) => {
      const button = event.target.closest("button[type=submit]");
      if (button) last = button;
    });
    node.addEventListener("submit", (event) => {
      const submitter = event.submitter || last;
      const action = submitter ? submitter.value : "start";
      const checked = node.querySelector("input[name=lang]:checked") || node.querySelector("input[name=lang]");
      const lang = checked ? checked.value : Q.lang;
      const easy = Boolean(node.querySelector("input[name=easy]:checked"));
      const modeInput = node.querySelector("input[name=mode]:checked");
      const mode = Q.staff && modeInput ? modeInput.value : "self";
      const key = `${lang}|${easy && Q.has_easy ? 1 : 0}`;
      if (loaded[key]) {
        event.preventDefault();
        begin(loaded[key], action, mode);
      } else if (!navigator.onLine) {
        event.preventDefault();
        loadVariant(lang, easy).then((data) => begin(data, action, mode), () => begin(Q, action, mode));
      } // else: online, the server answers this post as it does without scripts
    });
  }

  function begin(data, action, mode) {
    use(data);
    if (action === "show") {
      history.replaceState(null, "", `${Q.urls.form}?lang=${Q.lang}${Q.easy ? "&easy=1" : ""}`);
      startScreen();
      return;
    }
    const draft = loadDraft();
    state = draft && draft.step !== "thanks" ? draft : { uuid: newUuid(), answers: {}, followup: "" };
    Object.assign(state, { lang: Q.lang, easy: Q.easy, mode });
    if (Q.asks_code) state.step = "code";
    else forward(-1);
    saveDraft();
    render();
  }

  function forward(after) {
    const next = relevantSections(state.answers).find((i) => i > after);
    if (next === undefined) state.step = "closing";
    else Object.assign(state, { step: "section", section: next });
  }
  function back(before) {
    const earlier = relevantSections(state.answers).filter((i) => i < before);
    if (earlier.length) Object.assign(state, { step: "section", section: earlier[earlier.length - 1] });
    else state.step = Q.asks_code ? "code" : "start";
  }
  function render(errors, codeError) {
    saveDraft();
    if (state.step === "code") return codeScreen(codeError || "");
    if (state.step === "section") return sectionScreen(state.section, errors || {});
    if (state.step === "closing") return closingScreen();
    if (state.step === "thanks") return thanksScreen();
    startScreen(); // the answers so far stay in the draft: "Continue" takes them up again
  }

  // The follow-up code (follow-up and exit waves).
  const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  function readCode(text) {
    const chars = [];
    for (let c of text.trim().toUpperCase()) {
      if (" -_.".includes(c)) continue;
      c = { O: "0", I: "1", L: "1" }[c] || c;
      if (!ALPHABET.includes(c)) return { problem: T.code_character };
      chars.push(c);
    }
    if (!chars.length) return { problem: T.code_empty };
    if (chars.length !== 9) return { problem: fmt(T.code_length, { expected: 9, count: chars.length }) };
    let total = 0, factor = 1;
    for (const c of chars.reverse()) {
      const addend = factor * ALPHABET.indexOf(c);
      total += Math.floor(addend / 32) + (addend % 32);
      factor = factor === 2 ? 1 : 2;
    }
    if (total % 32) return { problem: T.code_mistake };
    return { code: chars.reverse().join("") };
  }
  function codeScreen(error) {
    const node = form((action, f) => {
      const typed = f.querySelector("#followup-code").value.slice(0, 64);
      if (action === "back") state.step = "start";
      else if (action === "nocode") {
        state.followup = "";
        forward(-1);
      } else {
        const result = readCode(typed);
        if (result.problem) {
          state.typed = typed;
          return render(null, result.problem);
        }
        state.followup = result.code;
        forward(-1);
      }
      delete state.typed;
      render();
    });
    const typed = state.typed !== undefined ? state.typed : state.followup || "";
    node.append(el("div", { class: `q${error ? " has-error" : ""}`, lang: ui() },
      el("label", { class: "q-label", for: "followup-code", text: T.code_label }),
      el("p", { class: "hint", id: "followup-code-hint", text: T.code_hint }),
      error ? el("p", { class: "error", id: "followup-code-error" }, el("span", { class: "visually-hidden", text: T.error + " " }), error) : null,
      el("input", {
        type: "text", id: "followup-code", name: "followup_code", value: typed, class: "code-input", autocomplete: "off",
        inputmode: "text", autocapitalize: "characters", spellcheck: "false", maxlength: "32",
        "aria-describedby": `followup-code-hint${error ? " followup-code-error" : ""}`, "aria-invalid": error ? "true" : null,
      })),
    buttons(["code", T.next], ["nocode", T.code_none, true], ["back", T.previous, true]));
    const box = error ? summary([{ target: "followup-code", text: error }], T.code_problem) : null;
    show([...progress("code"), el("h1", { lang: ui(), text: T.code_title }), box, node],
      `${error ? T.error + " " : ""}${T.code_title} — ${Q.title}`, box);
  }

  // One section.
  function questionBlock(q, value, error) {
    const id = `q-${q.name}`;
    if (q.type === "note") return el("p", { class: "note", "data-q": q.name, text: q.label });
    const described = [];
    if (q.hint) described.push(`${id}-hint`);
    if (q.type === "multiple_choice") described.push(`${id}-several`);
    if (error) described.push(`${id}-error`);
    const label = [el("span", { class: "num" }), " ", q.label,
      q.req ? [" ", el("span", { class: "required", lang: ui(), text: `(${T.required})` })] : null];
    const hint = q.hint ? el("p", { class: "hint", id: `${id}-hint`, text: q.hint }) : null;
    const errorText = error
      ? el("p", { class: "error", id: `${id}-error`, lang: ui() }, el("span", { class: "visually-hidden", text: T.error + " " }), error)
      : null;
    const invalid = error ? "true" : null;
    if (q.choices) {
      const chosen = Array.isArray(value) ? value.map(String) : value !== undefined ? [String(value)] : [];
      const options = q.choices.map(([v, text, picture], i) => [`${id}-${i}`, v, text, picture, false]);
      if (q.dk) options.push([`${id}-dk`, "dk", T.dont_know, q.type === "scale" ? "dont_know" : "", true]);
      const multiple = q.type === "multiple_choice";
      return el("fieldset", { class: `q${error ? " has-error" : ""}`, id, "data-q": q.name, "aria-describedby": described.join(" ") || null },
        el("legend", { class: "q-label" }, label), hint,
        multiple ? el("p", { class: "hint", id: `${id}-several`, lang: ui(), text: T.several }) : null,
        errorText,
        el("div", { class: q.type === "scale" ? `scale scale-${q.choices.length}` : "options" }, options.map(([oid, v, text, picture, dk]) => {
          const option = el("label", { class: `option${dk ? " dk" : ""}`, for: oid, lang: dk ? ui() : null },
            el("input", {
              type: multiple ? "checkbox" : "radio", id: oid, name: `a-${q.name}`, value: v, checked: chosen.includes(v),
              required: q.req && !multiple, "aria-invalid": invalid,
            }));
          if (picture && Q.pictures[picture]) option.insertAdjacentHTML("beforeend", Q.pictures[picture]); // the server's SVG
          option.append(el("span", { text }));
          return option;
        })));
    }
    const common = {
      id, name: `a-${q.name}`, "aria-describedby": described.join(" ") || null, required: q.req, "aria-invalid": invalid,
    };
    const dk = value === "dk";
    const text = value === undefined || dk || Array.isArray(value) ? "" : String(value);
    let input;
    if (q.type === "long_text") input = el("textarea", Object.assign({ rows: "5", maxlength: q.max }, common), text);
    else {
      input = el("input", Object.assign({
        type: q.type === "date" ? "date" : "text", value: text, maxlength: q.max || null,
        inputmode: { integer: "numeric", decimal: "decimal" }[q.type] || null,
      }, common));
    }
    return el("div", { class: `q${error ? " has-error" : ""}`, "data-q": q.name },
      el("label", { class: "q-label", for: id }, label), hint, errorText, input,
      q.dk ? el("div", { class: "options" }, el("label", { class: "option dk", for: `${id}-dk`, lang: ui() },
        el("input", { type: "checkbox", id: `${id}-dk`, name: `dk-${q.name}`, value: "1", checked: dk }),
        el("span", { text: T.dont_know }))) : null);
  }
  function collect(q, root) {
    if (q.type === "note") return undefined;
    if (q.choices) {
      const ticked = Array.from(root.querySelectorAll(`input[name="a-${q.name}"]`)).filter((i) => i.checked).map((i) => i.value);
      if (q.type === "multiple_choice") return ticked.length ? ticked : undefined;
      return ticked.length ? ticked[0] : undefined;
    }
    const dk = root.querySelector(`#q-${q.name}-dk`);
    if (dk && dk.checked) return "dk";
    const input = root.querySelector(`#q-${q.name}`);
    if (!input) return undefined;
    if (q.type === "date" && input.validity && input.validity.badInput) return "?";
    let text = input.value;
    const dmy = q.type === "date" && /^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})$/.exec(text.trim());
    if (dmy) text = `${dmy[3]}-${dmy[2].padStart(2, "0")}-${dmy[1].padStart(2, "0")}`;
    return text.trim() ? text : undefined;
  }

  function sectionScreen(index, errors) {
    const section = Q.sections[index];
    const blocks = {};
    const shown = new Set();
    const notice = el("div", { "aria-live": "polite", lang: ui() });
    let numbered = [];
    const node = form((action) => {
      gather();
      prune(state.answers);
      if (action === "back") {
        back(index);
        return render();
      }
      const found = check(state.answers);
      const here = {};
      const asked = relevant(state.answers);
      for (const q of section.questions) if (found[q.name] && asked[q.name]) here[q.name] = message(q, found[q.name]);
      if (Object.keys(here).length) return render(here);
      forward(index);
      render();
    });
    const list = el("div", {});
    function gather() {
      for (const q of section.questions) {
        if (!shown.has(q.name)) continue;
        const v = collect(q, list);
        if (v === undefined) delete state.answers[q.name];
        else state.answers[q.name] = v;
      }
    }
    function sync(initial) {
      // Shows the questions asked given the answers so far, in order, numbered; an answer that closes a
      // question removes that question's answer, as the server does.
      const asked = relevant(state.answers);
      let opened = false;
      let previous = null;
      numbered = [];
      for (const q of section.questions) {
        if (asked[q.name]) {
          if (!blocks[q.name]) blocks[q.name] = questionBlock(q, state.answers[q.name], errors[q.name]);
          if (!shown.has(q.name)) {
            shown.add(q.name);
            opened = opened || !initial;
          }
          if (previous) previous.after(blocks[q.name]);
          else list.prepend(blocks[q.name]);
          previous = blocks[q.name];
          if (q.type !== "note") numbered.push(q);
        } else if (shown.has(q.name)) {
          shown.delete(q.name);
          blocks[q.name].remove();
          delete blocks[q.name];
          delete state.answers[q.name];
        }
      }
      numbered.forEach((q, i) => {
        const number = blocks[q.name].querySelector(".num");
        if (number) number.textContent = `${i + 1}.`;
        const listen = blocks[q.name].querySelector(".listen");
        if (listen) listen.setAttribute("aria-label", fmt(T.listen_question, { number: i + 1 }));
      });
      if (opened) {
        notice.textContent = "";
        notice.append(el("p", { class: "notice", text: T.opened }));
        addListenButtons();
      }
    }
    list.addEventListener("change", () => {
      gather();
      sync(false);
      saveDraft();
    });
    sync(true);
    node.append(list, buttons(["next", T.next], ["back", T.previous, true]));
    const items = numbered.filter((q) => errors[q.name]).map((q) => ({
      target: q.choices ? `q-${q.name}-0` : `q-${q.name}`,
      text: fmt(T.question_error, { number: numbered.indexOf(q) + 1, message: errors[q.name] }),
    }));
    const count = items.length;
    const box = count ? summary(items, plural(T.problems_one, T.problems_other, count)) : null;
    show([...progress(index), el("h1", { text: section.label }), box, notice, node],
      `${count ? T.error + " " : ""}${section.label} — ${Q.title}`, box);
  }

  function closingScreen() {
    const consent = asksConsent(state.answers);
    const node = form((action, f) => {
      if (action === "back") {
        back(Q.sections.length);
        return render();
      }
      const chosen = f.querySelector("input[name=quote_consent]:checked");
      state.consent = consent && chosen ? chosen.value === "yes" : null;
      send();
    });
    if (consent) {
      node.append(el("fieldset", { class: "q", "aria-describedby": "consent-hint", lang: ui() },
        el("legend", { class: "q-label", text: T.consent }),
        el("p", { class: "hint", id: "consent-hint", text: T.consent_hint }),
        el("div", { class: "options" }, [["yes", T.consent_yes], ["no", T.consent_no]].map(([v, text]) =>
          el("label", { class: "option", for: `consent-${v}` },
            el("input", { type: "radio", id: `consent-${v}`, name: "quote_consent", value: v, checked: state.consent === (v === "yes") }),
            el("span", { text }))))));
    }
    node.append(el("p", { lang: ui(), text: T.send_note }), buttons(["send", T.send], ["back", T.previous, true]));
    show([...progress("closing"), el("h1", { lang: ui(), text: T.send_title }), node], `${T.send_title} — ${Q.title}`);
  }

  function thanksScreen() {
    const done = state;
    const node = form(() => {
      state = null;
      saveDraft();
      startScreen();
    });
    node.classList.add("no-print");
    if (ui()) node.setAttribute("lang", ui());
    node.append(el("p", { class: "hint", id: "finish-hint", text: T.finish_hint }),
      el("div", { class: "buttons" }, el("button", { type: "submit", name: "action", value: "new", "aria-describedby": "finish-hint", text: T.finish })));
    const said = done.conflict ? T.conflict : done.queued ? T.kept : T.saved;
    show([
      el("p", { class: "context", text: Q.title }),
      el("h1", { lang: ui(), text: T.thanks }),
      el("p", { lang: ui(), text: said }),
      done.queued && Q.issues_code ? el("p", { lang: ui(), text: T.code_later }) : null,
      done.code ? el("section", { class: "card", "aria-labelledby": "code-title", lang: ui() },
        el("h2", { id: "code-title", text: T.code_title }), el("p", { class: "code", text: done.code }),
        el("p", { text: T.code_keep }), el("p", { text: T.code_next })) : null,
      node,
    ], `${T.thanks} — ${Q.title}`);
  }

  async function send() {
    const asked = prune(state.answers);
    const found = check(state.answers);
    const first = Q.sections.findIndex((s) => s.questions.some((q) => found[q.name] && asked[q.name]));
    if (first >= 0) {
      const here = {};
      for (const q of Q.sections[first].questions) if (found[q.name]) here[q.name] = message(q, found[q.name]);
      Object.assign(state, { step: "section", section: first });
      return render(here);
    }
    const item = {
      uuid: state.uuid, link: Q.code, submit: Q.urls.submit, title: Q.title, created: Date.now(),
      status: "waiting", attempts: 0, next: 0,
      body: {
        uuid: state.uuid, answers: state.answers, followup_code: state.followup || null,
        quote_consent: state.consent === undefined ? null : state.consent, mode: state.mode || "self",
        lang: Q.lang, easy: Q.easy,
      },
    };
    const sending = main.querySelector("button[value=send]");
    if (sending) sending.disabled = true;
    let result = null, stored = true;
    try {
      await outbox.put(item);
    } catch (e) {
      stored = false;
    }
    if (stored) {
      // Sent now when the network answers within 10 s; otherwise it waits in the outbox.
      result = await Promise.race([outbox.sendOne(item.uuid).catch(() => null), new Promise((resolve) => setTimeout(resolve, 10000, null))]);
    } else {
      // No IndexedDB here (a private window of some browsers): send directly, or say so.
      result = await outbox.post(item);
      if (result.status !== "sent" && result.status !== "problem") {
        if (sending) sending.disabled = false;
        const box = el("div", { class: "error-summary", role: "alert", tabindex: "-1", lang: ui() }, el("p", { text: T.no_storage }));
        main.querySelector("h1").after(box);
        box.focus();
        return;
      }
    }
    if (result && result.status === "problem" && result.errors && result.errors.length) {
      // The server found what this page did not: the person is here, show them.
      if (stored) await outbox.remove(item.uuid).catch(() => null);
      return serverErrors(result.errors);
    }
    if (stored && result && result.status === "sent") {
      await outbox.put(Object.assign({}, result, { seen: true })).catch(() => null); // its code is on the screen
    }
    state = {
      uuid: item.uuid, step: "thanks", at: Date.now(), lang: Q.lang, easy: Q.easy,
      code: result && result.status === "sent" ? result.followup : "",
      queued: !result || result.status !== "sent", conflict: Boolean(result && result.conflict),
    };
    render();
    outbox.flush(false);
  }

  function serverErrors(errors) {
    const byName = {};
    for (const e of errors) byName[e.question] = e.message;
    if (byName.followup_code && Q.asks_code) {
      state.step = "code";
      state.typed = state.followup;
      return render(null, byName.followup_code);
    }
    const index = Q.sections.findIndex((s) => s.questions.some((q) => byName[q.name]));
    if (index >= 0) {
      Object.assign(state, { step: "section", section: index });
      const here = {};
      for (const q of Q.sections[index].questions) if (byName[q.name]) here[q.name] = byName[q.name];
      return render(here);
    }
    for (const name of Object.keys(byName)) delete state.answers[name];
    state.step = "closing";
    render();
  }

  // --- The outbox: finished forms in IndexedDB until the server has them ----------------------------------------

  const KEEP_SENT_MS = 24 * 60 * 60 * 1000; // sent forms are kept without their answers, for their follow-up code
  const FIRST_DELAY_MS = 5000, LONGEST_DELAY_MS = 10 * 60 * 1000;

  const outbox = (() => {
    let database = null, timer = null, running = null, again = false, againForced = false;
    function open() {
      if (database) return database;
      database = new Promise((resolve, reject) => {
        if (!window.indexedDB) return reject(new Error("no IndexedDB"));
        const request = indexedDB.open("socle-respondent", 1);
        request.onupgradeneeded = () => request.result.createObjectStore("outbox", { keyPath: "uuid" });
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      database.catch(() => { database = null; });
      return database;
    }
    async function run(mode, work) {
      const db = await open();
      return new Promise((resolve, reject) => {
        const transaction = db.transaction("outbox", mode);
        const result = work(transaction.objectStore("outbox"));
        transaction.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
        transaction.onerror = transaction.onabort = () => reject(transaction.error);
      });
    }
    const all = () => run("readonly", (store) => store.getAll());
    const get = (uuid) => run("readonly", (store) => store.get(uuid));
    const put = (item) => run("readwrite", (store) => store.put(item));
    const remove = (uuid) => run("readwrite", (store) => store.delete(uuid));

    async function post(item) {
      // One try; the item as it should be stored afterwards, with its `status`.
      let response;
      try {
        response = await fetch(item.submit, {
          method: "POST", credentials: "same-origin", redirect: "manual", cache: "no-store",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": cookie(Q ? Q.csrf_cookie : "csrftoken") },
          body: JSON.stringify(item.body),
        });
      } catch (e) {
        return later(item);
      }
      let data = null;
      try {
        data = await response.json();
      } catch (e) { /* not JSON: a proxy's page, a redirect */ }
      const status = response.status;
      const updated = Object.assign({}, item, { detail: (data && data.detail) || "", errors: [] });
      if ((status === 200 || status === 201) && data && data.uuid === item.uuid) {
        delete updated.body; // the answers leave the device once received
        return Object.assign(updated, { status: "sent", received: Date.now(), followup: data.followup_code || "" });
      }
      if (response.type === "opaqueredirect" || status === 403 || status === 401) {
        return Object.assign(updated, { status: "signin", detail: T.signin });
      }
      if (status === 409) return Object.assign(updated, { status: "problem", conflict: true });
      if (status === 422) return Object.assign(updated, { status: "problem", errors: (data && data.errors) || [] });
      if ([400, 404, 413, 415].includes(status)) {
        return Object.assign(updated, { status: "problem", detail: updated.detail || (status === 404 ? T.closed : T.refused) });
      }
      return later(item); // 5xx, 429, a 2xx that is not our answer: try again later
    }
    function later(item) {
      const attempts = (item.attempts || 0) + 1;
      const delay = Math.min(FIRST_DELAY_MS * 2 ** (attempts - 1), LONGEST_DELAY_MS) * (0.8 + Math.random() * 0.4);
      return Object.assign({}, item, { status: "waiting", attempts, next: Date.now() + delay });
    }
    async function sendOne(uuid) {
      const item = await get(uuid);
      if (!item || item.status === "sent" || item.status === "problem") return item;
      const updated = await post(item);
      await put(updated);
      return updated;
    }
    async function flushOnce(force) {
      const now = Date.now();
      for (const item of await all()) {
        if (item.status === "sent") {
          if (now - item.received > KEEP_SENT_MS) await remove(item.uuid);
        } else if (item.status === "waiting" ? force || item.next <= now : item.status === "signin" && force) {
          await sendOne(item.uuid);
          await refresh();
        }
      }
    }
    function flush(force) {
      // One sender at a time in this page; a call during a run asks for one more run.
      if (running) {
        again = true;
        againForced = againForced || force;
        return running;
      }
      running = (async () => {
        let forced = force;
        try {
          for (;;) {
            await flushOnce(forced);
            if (!again) break;
            forced = againForced;
            again = againForced = false;
          }
        } catch (e) { /* no IndexedDB: nothing waits here */ }
        running = null;
        await refresh();
        schedule();
      })();
      return running;
    }
    async function schedule() {
      clearTimeout(timer);
      let items = [];
      try {
        items = await all();
      } catch (e) {
        return;
      }
      const next = items.filter((i) => i.status === "waiting").map((i) => i.next || 0);
      if (next.length) timer = setTimeout(() => flush(false), Math.max(0, Math.min(...next) - Date.now()) + 50);
    }
    async function refresh() {
      let items = [];
      try {
        items = await all();
      } catch (e) { /* no IndexedDB */ }
      if (Q && outboxPanel) draw(items);
    }
    return { put, remove, post, sendOne, flush, refresh, all, get };
  })();

  function draw(items) {
    // The line that says how many wait (a polite live region), and the list of what this device holds.
    const waiting = items.filter((i) => i.status === "waiting" || i.status === "signin");
    const problems = items.filter((i) => i.status === "problem");
    const sent = items.filter((i) => i.status === "sent").sort((a, b) => b.received - a.received);
    const status = outboxPanel.querySelector("[role=status]");
    const parts = [];
    if (waiting.length) parts.push(plural(T.waiting_one, T.waiting_other, waiting.length));
    if (problems.length) parts.push(plural(T.problem_one, T.problem_other, problems.length));
    if (!parts.length && sent.some((i) => !i.seen)) parts.push(T.all_sent);
    const text = parts.join(". ");
    if (status.textContent !== text) status.textContent = text;
    status.dataset.waiting = String(waiting.length);
    status.dataset.problems = String(problems.length);
    status.className = waiting.length || problems.length ? "outbox-status busy" : "outbox-status";
    const details = outboxPanel.querySelector("details");
    const list = details.querySelector("ul");
    list.textContent = "";
    for (const item of [...problems, ...waiting, ...sent]) list.append(drawItem(item));
    details.hidden = !items.length;
    details.querySelector(".clear").hidden = !sent.length;
    if (problems.length || sent.some((i) => i.followup && !i.seen)) details.open = true;
    const mine = state && state.step === "thanks" && state.queued && sent.find((i) => i.uuid === state.uuid);
    if (mine) {
      // Received while the thanks screen is shown: say so, with the follow-up code.
      Object.assign(state, { queued: false, code: mine.followup || "" });
      render();
    }
  }
  function drawItem(item) {
    const li = el("li", { class: `outbox-item ${item.status}`, "data-uuid": item.uuid },
      el("p", { class: "outbox-title" }, el("strong", { text: item.title }), ` — ${time(item.created)}`));
    if (item.status === "sent") {
      li.append(el("p", { text: fmt(T.sent_at, { time: time(item.received) }) }));
      if (item.followup) {
        const [before, after] = T.followup.split("%(code)s");
        li.append(el("p", { class: "outbox-code" }, before, el("strong", { class: "followup", text: item.followup }), after || ""),
          el("p", { class: "hint", text: T.give_code }));
      }
      return li;
    }
    if (item.status === "waiting") {
      li.append(el("p", { class: "hint", text: item.next > Date.now() ? fmt(T.next_try, { time: time(item.next) }) : "" }));
      return li;
    }
    if (item.conflict) li.append(el("p", { class: "error", text: item.detail || T.refused }));
    else if (item.status === "signin") li.append(el("p", { class: "error", text: T.signin }));
    else if (item.errors && item.errors.length) {
      li.append(el("p", { class: "error", text: T.unfit }),
        el("ul", {}, item.errors.map((e) => el("li", {}, el("strong", { text: e.label || e.question }), ` — ${e.message}`))));
    } else li.append(el("p", { class: "error", text: item.detail || T.refused }));
    const retry = el("button", { type: "button", class: "secondary small", text: T.retry });
    retry.addEventListener("click", async () => {
      await outbox.put(Object.assign({}, item, { status: "waiting", attempts: 0, next: 0 }));
      outbox.flush(true);
    });
    li.append(el("div", { class: "buttons" }, retry));
    if (item.status === "problem") {
      const drop = el("button", { type: "button", class: "secondary small", text: T.remove });
      drop.addEventListener("click", async () => {
        if (window.confirm(T.remove_confirm)) {
          await outbox.remove(item.uuid);
          outbox.refresh();
        }
      });
      li.lastChild.append(drop);
    }
    return li;
  }
  function buildPanel() {
    outboxPanel = el("div", { class: "outbox", id: "outbox", lang: ui() });
    const clear = el("button", { type: "button", class: "secondary small clear", text: T.clear });
    clear.addEventListener("click", async () => {
      for (const item of await outbox.all()) if (item.status === "sent") await outbox.remove(item.uuid);
      outbox.refresh();
    });
    const details = el("details", { hidden: true }, el("summary", { text: T.outbox }), el("ul", { class: "outbox-list" }), clear);
    details.addEventListener("toggle", async () => {
      if (!details.open) return;
      for (const item of await outbox.all()) if (item.status === "sent" && item.followup && !item.seen) await outbox.put(Object.assign(item, { seen: true }));
    });
    outboxPanel.append(el("p", { role: "status", class: "outbox-status", "data-waiting": "0" }), details);
    main.prepend(outboxPanel);
  }

  // --- Read aloud (the browser's speech synthesis) --------------------------------------------------------------

  const canSpeak = "speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function";
  let speaking = null;
  const SPEAKER = '<svg aria-hidden="true" focusable="false" width="20" height="20" viewBox="0 0 24 24"><path fill="currentColor" d="M3 9v6h4l5 4V5L7 9H3zm13.5 3a4.5 4.5 0 0 0-2.5-4v8a4.5 4.5 0 0 0 2.5-4z"/></svg>';

  function langOf(node) {
    const holder = node.closest("[lang]");
    return holder ? holder.getAttribute("lang") : document.documentElement.lang;
  }
  const SPOKEN = "h1, h2, p, li, legend, label.q-label, .option span";
  function partsOf(root) {
    // The texts to speak, in order, each in its own language: headings, notes, questions, hints, errors, answers.
    const nodes = root.matches(SPOKEN) ? [root] : [];
    nodes.push(...root.querySelectorAll(SPOKEN));
    const parts = [];
    for (const node of nodes) {
      if (node.closest(".outbox, .progress, .context")) continue;
      const text = node.textContent.replace(/\s+/g, " ").trim();
      if (text) parts.push({ text, lang: langOf(node) });
    }
    return parts;
  }
  function stopSpeaking() {
    window.speechSynthesis.cancel();
    if (speaking) setListenLabel(speaking, false);
    speaking = null;
  }
  function setListenLabel(button, on) {
    button.querySelector("span").textContent = on ? T.stop : T.listen;
    button.classList.toggle("on", on);
  }
  function speak(button, root) {
    if (speaking === button) return stopSpeaking();
    if (speaking) stopSpeaking();
    const parts = partsOf(root);
    if (!parts.length) return;
    speaking = button;
    setListenLabel(button, true);
    parts.forEach((part, i) => {
      const utterance = new SpeechSynthesisUtterance(part.text);
      utterance.lang = part.lang;
      if (i === parts.length - 1) {
        utterance.onend = utterance.onerror = () => {
          if (speaking === button) stopSpeaking();
        };
      }
      window.speechSynthesis.speak(utterance);
    });
  }
  function listenButton(root, name) {
    const button = el("button", { type: "button", class: "listen secondary", "aria-label": name || null, lang: ui() });
    button.insertAdjacentHTML("afterbegin", SPEAKER);
    button.append(el("span", { text: T.listen }));
    button.addEventListener("click", () => speak(button, root()));
    return button;
  }
  function addListenButtons() {
    if (!canSpeak || !Q) return;
    const heading = main.querySelector("h1");
    if (heading && !main.querySelector(".listen-screen")) {
      const bar = el("div", { class: "listen-screen" }, listenButton(() => main));
      heading.after(bar);
    }
    let number = 0;
    for (const block of main.querySelectorAll("form .q")) {
      if (block.id === "followup-code" || block.querySelector(".listen")) {
        if (block.querySelector(".num")) number += 1;
        continue;
      }
      const num = block.querySelector(".num");
      if (!num) continue;
      number += 1;
      const button = listenButton(() => block, fmt(T.listen_question, { number }));
      const label = block.querySelector("legend, .q-label");
      label.after(button);
    }
  }

  // --- Start ---------------------------------------------------------------------------------------------------

  function registerWorker() {
    if (!("serviceWorker" in navigator) || !window.isSecureContext || !main.dataset.sw) return;
    navigator.serviceWorker.register(main.dataset.sw, { scope: "/r/" })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        if (!navigator.onLine || !registration.active || !Q) return;
        const urls = [Q.urls.form];
        for (const [code] of Q.languages) {
          urls.push(variantUrl(code, false));
          if (Q.has_easy) urls.push(variantUrl(code, true));
        }
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => {
          if (event.data && event.data.done) main.dataset.offline = "ready";
        };
        registration.active.postMessage({ type: "prepare", urls }, [channel.port2]);
      })
      .catch(() => { /* no offline mode here; the form still works online */ });
  }

  async function boot() {
    const params = new URLSearchParams(location.search);
    const screen = main.dataset.screen;
    let lang = main.dataset.lang, easy = main.dataset.easy === "1";
    if (screen === "start" && params.get("lang")) {
      lang = params.get("lang");
      easy = params.get("easy") === "1";
    }
    let data;
    try {
      data = await loadVariant(lang, easy);
    } catch (e) {
      return; // the server's form goes on without this script
    }
    const draft = screen === "start" ? loadDraft() : null;
    if (draft && (draft.lang !== data.lang || Boolean(draft.easy) !== data.easy)) {
      data = await loadVariant(draft.lang, draft.easy).catch(() => data);
    }
    Q = data;
    T = data.t;
    buildPanel();
    if (screen === "start") {
      // The server's start page, or the clean copy the service worker keeps: the questionnaire runs here.
      const differs = data.lang !== main.dataset.lang || data.easy !== (main.dataset.easy === "1");
      const serverForm = main.querySelector("form");
      use(data);
      if (draft && draft.step && draft.step !== "start") {
        state = draft;
        render();
      } else if (differs || !serverForm || (draft && Object.keys(draft.answers || {}).length)) startScreen();
      else {
        takeOver(serverForm);
        addListenButtons();
      }
    } else addListenButtons();
    main.dataset.ready = "1";
    registerWorker();
    outbox.flush(true);
    window.addEventListener("online", () => outbox.flush(true));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") outbox.flush(false);
    });
  }

  boot();
})();
