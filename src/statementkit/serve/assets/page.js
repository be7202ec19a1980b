// The participant page: checks the draft as it is typed (debounced), shows each problem, the
// highlighted span and the fix in the page's language, and submits when the server has a queue.
// Plain JavaScript, no framework, nothing loaded from elsewhere.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("sk-config").textContent);
  var ui = config.ui;
  var text = document.getElementById("sk-text");
  var counter = document.getElementById("sk-counter");
  var advice = document.getElementById("sk-advice");
  var statusLine = document.getElementById("sk-status");
  var where = document.getElementById("sk-where");
  var problems = document.getElementById("sk-problems");
  var result = document.getElementById("sk-result");
  var submit = document.getElementById("sk-submit");
  var form = document.getElementById("sk-form");
  var DEBOUNCE_MS = 350;
  var timer = null, sequence = 0, pending = null;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  // Characters as the assembly's limit counts them: user-perceived characters (graphemes), ends
  // trimmed, runs of white space counted once. The server's count replaces it after each check.
  function countCharacters(value) {
    var s = value.trim().replace(/\s+/g, " ");
    if (window.Intl && Intl.Segmenter) {
      var n = 0, it = new Intl.Segmenter(config.lang, { granularity: "grapheme" }).segment(s)[Symbol.iterator]();
      while (!it.next().done) { n += 1; }
      return n;
    }
    return Array.from(s).length;
  }

  function showCount(count) {
    if (!config.limit) { counter.textContent = ""; return; }
    var over = count > config.limit;
    counter.textContent = fill(over ? ui.over : ui.counter, { count: count, limit: config.limit });
    counter.classList.toggle("sk-over", over);
  }

  function setVerdict(verdict) {
    advice.classList.remove("sk-accept", "sk-review", "sk-reject");
    if (verdict) { advice.classList.add("sk-" + verdict); }
  }

  function reset(message) {
    setVerdict(null);
    statusLine.textContent = message;
    where.hidden = true;
    where.textContent = "";
    problems.textContent = "";
  }

  // The statement with each problem's span marked; spans are in code points (as Python counts).
  function highlighted(value, items) {
    var chars = Array.from(value);
    var spans = items.filter(function (p) { return p.span; })
      .map(function (p) { return { start: p.span[0], end: p.span[1], title: p.title }; })
      .sort(function (a, b) { return a.start - b.start || b.end - a.end; });
    var out = document.createDocumentFragment(), at = 0;
    spans.forEach(function (s) {
      if (s.start < at || s.end <= s.start) { return; }  // overlapping: the first one shown is enough
      out.appendChild(document.createTextNode(chars.slice(at, s.start).join("")));
      var mark = document.createElement("mark");
      mark.textContent = chars.slice(s.start, s.end).join("");
      mark.title = s.title;
      out.appendChild(mark);
      at = s.end;
    });
    out.appendChild(document.createTextNode(chars.slice(at).join("")));
    return { fragment: out, any: spans.length > 0 };
  }

  function show(value, answer) {
    var a = answer.advice;
    setVerdict(a.verdict);
    statusLine.textContent = a.summary;
    if (answer.characters) { showCount(answer.characters.count); }
    var marked = highlighted(value, a.problems);
    where.textContent = "";
    if (marked.any) {
      var label = document.createElement("span");
      label.className = "sk-visually-hidden";
      label.textContent = ui.where + ui.colon;
      where.appendChild(label);
      where.appendChild(marked.fragment);
    }
    where.hidden = !marked.any;
    problems.textContent = "";
    a.problems.forEach(function (p) {
      var li = document.createElement("li");
      li.className = "sk-problem sk-" + p.code;
      li.dataset.code = p.code;
      var title = document.createElement("span");
      title.className = "sk-title";
      title.textContent = p.title + ui.colon;
      li.appendChild(title);
      li.appendChild(document.createTextNode(p.message));
      if (p.fix) {
        var fix = document.createElement("span");
        fix.className = "sk-fix";
        fix.textContent = ui.fix + ui.colon + p.fix;
        li.appendChild(fix);
      }
      problems.appendChild(li);
    });
  }

  function post(path, body, headers) {
    var h = { "Content-Type": "application/json", "Accept": "application/json" };
    Object.keys(headers || {}).forEach(function (k) { h[k] = headers[k]; });
    return fetch(config.base + path, { method: "POST", headers: h, body: JSON.stringify(body), credentials: "omit" });
  }

  function check() {
    var value = text.value;
    var mine = ++sequence;
    if (pending) { pending.abort(); }
    if (!value.trim()) { reset(ui.waiting); return; }
    statusLine.textContent = ui.checking;
    pending = new AbortController();
    fetch(config.base + "/api/v1/check", {
      method: "POST", signal: pending.signal, credentials: "omit",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ text: value, advice_lang: config.lang })
    }).then(function (response) {
      if (mine !== sequence) { return null; }
      if (response.status === 429) { reset(ui.too_many); return null; }
      if (!response.ok) { reset(ui.unavailable); return null; }
      return response.json();
    }).then(function (answer) {
      if (answer && mine === sequence) { show(value, answer); }
    }).catch(function (error) {
      if (error.name !== "AbortError" && mine === sequence) { reset(ui.unavailable); }
    });
  }

  text.addEventListener("input", function () {
    showCount(countCharacters(text.value));
    result.textContent = "";
    result.classList.remove("sk-failed");
    if (submit) { submit.disabled = !text.value.trim(); }
    clearTimeout(timer);
    timer = setTimeout(check, DEBOUNCE_MS);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!submit || !text.value.trim()) { return; }
    submit.disabled = true;
    submit.textContent = ui.submitting;
    post("/api/v1/submissions", { text: text.value },
         config.pageToken ? { "X-Page-Token": config.pageToken } : {})
      .then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      }).then(function (r) {
        submit.textContent = ui.submit;
        if (r.status === 201 || r.status === 200) {
          result.textContent = fill(ui.submitted, { id: r.body.id });
        } else {
          result.textContent = r.status === 429 ? ui.too_many : ui.submit_failed;
          result.classList.add("sk-failed");
          submit.disabled = false;
        }
      }).catch(function () {
        submit.textContent = ui.submit;
        submit.disabled = false;
        result.textContent = ui.submit_failed;
        result.classList.add("sk-failed");
      });
  });

  // Tell an embedding page how tall the content is, so its iframe can fit (see embed.js).
  if (window.parent !== window && window.ResizeObserver) {
    new ResizeObserver(function () {
      window.parent.postMessage({ statementkit: "height", height: document.documentElement.scrollHeight }, "*");
    }).observe(document.body);
  }
  showCount(0);
}());
