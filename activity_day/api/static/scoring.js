// Scoring forms of the team and observer pages.
//
// A score is checked against the rubric on the phone first (every item filled, each from 0 to its full mark), then
// gets a key made on the phone and waits in localStorage until the server has answered for it: without signal it
// stays there and is sent when the `online` event fires (or on the next try, every 20 seconds, or the next time the
// page opens). The server stores each key once, so a score sent twice (an answer lost on a weak network) is stored
// once.
//
// The queue belongs to one holder and one page: its key names the role and the holder (the team, or the observer
// and township), so another holder's page on the same phone never sends it with its own session. An entry the
// server refuses is never dropped: it stays, marked with the server's reason, under its station's form (filled
// with what was queued) until the holder corrects and saves it again, or discards it.
(function () {
  "use strict";
  var box = document.getElementById("queue");
  var csrf = document.querySelector('meta[name="csrf"]').content;
  var net = document.getElementById("net");
  var ROLE = box.dataset.role;
  var QUEUE = "activity-day.scores." + ROLE + "." + box.dataset.holder;
  var SHARED = "activity-day.scores";  // the one queue of every page before queues had holders
  var URL = "/m/" + ROLE + "/scores";
  var flushing = false, again = false;

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function load() { return read(QUEUE); }
  function save(queue) { localStorage.setItem(QUEUE, JSON.stringify(queue)); }
  function update(key, change) {
    save(load().map(function (e) { return e.key === key ? Object.assign(e, change) : e; }));
  }
  function drop(key) { save(load().filter(function (e) { return e.key !== key; })); }
  // Entries of the old shared queue that were made on a page like this one move into this holder's queue; the
  // server refuses one that is not this holder's (kept, with its reason, like any refusal).
  (function adopt() {
    var old = read(SHARED);
    if (!old.length) { return; }
    var mine = old.filter(function (e) { return e.url === URL; });
    if (mine.length) { save(load().concat(mine.map(function (e) { return Object.assign(e, { state: "waiting" }); }))); }
    var rest = old.filter(function (e) { return e.url !== URL; });
    if (rest.length) { localStorage.setItem(SHARED, JSON.stringify(rest)); } else { localStorage.removeItem(SHARED); }
  })();

  function formOf(code) { return document.querySelector('.score-form[data-code="' + code + '"]'); }
  function say(code, text, kind) {
    var form = formOf(code);
    if (form) {
      var status = form.querySelector(".status");
      status.textContent = text;
      status.className = "status " + kind;
    }
  }
  function setState(code, text, kind) {
    var el = document.querySelector('[data-state-for="' + code + '"]');
    if (el) {
      el.textContent = "";
      var tag = document.createElement("span");
      tag.className = "tag " + kind;
      tag.textContent = text;
      el.appendChild(tag);
    }
  }
  function clearProblems(form) {
    form.querySelectorAll(".error").forEach(function (p) { p.hidden = true; p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (i) { i.removeAttribute("aria-invalid"); });
  }
  function showProblems(form, problems) {
    clearProblems(form);
    (problems || []).forEach(function (p) {
      var target = form.querySelector('[data-error-for="' + (p.field || "") + '"]') ||
                   form.querySelector('[data-error-for="items"]');
      target.textContent = (target.textContent ? target.textContent + "；" : "") + p.reason;
      target.hidden = false;
      var input = target.parentNode.querySelector("input, textarea");
      if (input) { input.setAttribute("aria-invalid", "true"); }
    });
  }
  function fill(form, body) {
    form.querySelectorAll("input[data-item]").forEach(function (input) {
      var v = (body.items || {})[input.dataset.item];
      input.value = v === undefined || v === null ? "" : v;
    });
    ["category", "problems", "suggestions"].forEach(function (f) { form.elements[f].value = body[f] || ""; });
    total(form);
  }

  // What the page shows for the queue: each refused entry under its station's form (or, for a station not on this
  // page, in the box at the top), each waiting one as 待发送; and a line on the network and what waits.
  function show() {
    var queue = load();
    document.querySelectorAll(".score-form").forEach(function (form) {
      var entry = queue.filter(function (e) { return e.body.station_code === form.dataset.code; })[0];
      var note = form.querySelector(".queued");
      form.querySelector(".discard").hidden = !entry || entry.state !== "refused";
      note.hidden = !entry || entry.state !== "refused";
      if (entry && entry.state === "refused") {
        // What the holder can do depends on why: content can be corrected; a closed month or a station that is
        // not theirs cannot, and a link that no longer works needs a new one from the office.
        var next = entry.status === 422 ? "请按红字修改后重新保存，或放弃这条评分。" :
          entry.status === 401 ? "请向县文明办索取新的链接，打开后会再次发送；或放弃这条评分。" :
          "这条评分无法再保存，请放弃这条评分。";
        note.textContent = "这条评分未能保存：" + entry.message.replace(/[。；]$/, "") + "。" + next;
      }
    });
    var elsewhere = queue.filter(function (e) { return !formOf(e.body.station_code) && e.state === "refused"; });
    var list = box.querySelector("ul");
    list.textContent = "";
    elsewhere.forEach(function (e) {
      var li = document.createElement("li");
      li.textContent = e.body.month + " 所站 " + e.body.station_code + "：" + e.message + " ";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = "放弃这条评分";
      button.addEventListener("click", function () { drop(e.key); show(); });
      li.appendChild(button);
      list.appendChild(li);
    });
    box.hidden = !elsewhere.length;
    var waiting = queue.filter(function (e) { return e.state !== "refused"; }).length;
    var refused = queue.filter(function (e) { return e.state === "refused"; });
    var parts = [];
    if (!navigator.onLine) { parts.push("当前没有网络：评分已保存在手机上，恢复网络后自动发送"); }
    if (waiting) { parts.push(navigator.onLine ? "正在发送保存在手机上的评分 " + waiting + " 条" : "待发送 " + waiting + " 条"); }
    if (refused.length) { parts.push(refused.length + " 条评分未能保存，请按原因修改，或放弃"); }
    net.textContent = parts.join("；");
    // Each refused score's station, one tap away (the banner stays at the top of the screen).
    refused.forEach(function (e) {
      var code = e.body.station_code;
      if (!formOf(code)) { return; }
      var link = document.createElement("a");
      link.href = "#s-" + code;
      link.textContent = "查看所站 " + code;
      link.className = "goto";
      net.appendChild(document.createTextNode(" "));
      net.appendChild(link);
    });
    net.hidden = !parts.length;
  }

  function send(entry) {
    return fetch(entry.url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(entry.body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return { status: r.status, data: data }; });
    });
  }

  // Send what waits (and, when the page opens, what was refused before: the answer may have changed, e.g. a page
  // that had expired). A refusal is kept with its reason; only no signal or a server error leaves an entry waiting.
  function flush(retryRefused) {
    if (flushing) { again = true; return Promise.resolve(); }
    if (!navigator.onLine) { show(); return Promise.resolve(); }
    flushing = true;
    var queue = load().filter(function (e) { return retryRefused || e.state !== "refused"; });
    var next = function (i) {
      if (i >= queue.length) { return Promise.resolve(); }
      var entry = queue[i];
      return send(entry).then(function (answer) {
        var code = entry.body.station_code;
        var form = formOf(code);
        if (answer.status === 200) {
          drop(entry.key);
          setState(code, "已评分 " + Number(answer.data.score).toFixed(1) + " 分", "ok");
          say(code, "已发送，服务器已保存", "ok");
          if (form) { clearProblems(form); }
        } else if (answer.status >= 400 && answer.status < 500) {
          var message = (answer.data && answer.data.message) || "服务器未能保存（" + answer.status + "）";
          update(entry.key, { state: "refused", status: answer.status, message: message,
                              problems: (answer.data && answer.data.problems) || [] });
          setState(code, "未能保存", "warn");
          say(code, message, "bad");
          if (form) { fill(form, entry.body); showProblems(form, (answer.data && answer.data.problems) || []); }
        } else {
          throw new Error("server " + answer.status);
        }
        return next(i + 1);
      });
    };
    return next(0).catch(function () { /* no signal or a server error: the entry waits for the next try */ })
      .then(function () {
        flushing = false;
        show();
        if (again) { again = false; return flush(false); }
      });
  }

  function number(text) {
    // Full-width digits and a trailing 分, as a phone keyboard may give them.
    var plain = String(text).trim().replace(/[０-９．]/g, function (c) {
      return c === "．" ? "." : String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    }).replace(/分$/, "");
    return plain === "" || !/^\d+(\.\d+)?$/.test(plain) ? NaN : parseFloat(plain);
  }
  function total(form) {
    var sum = 0, all = true;
    form.querySelectorAll("input[data-item]").forEach(function (input) {
      var v = number(input.value);
      if (isNaN(v)) { all = false; } else { sum += v; }
    });
    form.querySelector(".sum").textContent = all ? String(Math.round(sum * 100) / 100) : "—";
  }
  // The rubric, on the phone, before anything is queued: what the server would refuse is named under its field.
  function check(form) {
    var problems = [];
    form.querySelectorAll("input[data-item]").forEach(function (input) {
      var max = parseFloat(input.dataset.max), v = number(input.value);
      var field = "items." + input.dataset.item;
      if (input.value.trim() === "") {
        problems.push({ field: field, reason: "请填写该项得分" });
      } else if (isNaN(v)) {
        problems.push({ field: field, reason: "应为 0 到 " + max + " 之间的数" });
      } else if (v > max) {
        problems.push({ field: field, reason: "该项满分" + max + "分" });
      }
    });
    return problems;
  }

  document.querySelectorAll(".score-form").forEach(function (form) {
    total(form);
    form.addEventListener("input", function () { total(form); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var code = form.dataset.code;
      var problems = check(form);
      if (problems.length) {
        showProblems(form, problems);
        say(code, "评分未保存：请按红字修改后再保存", "bad");
        return;
      }
      clearProblems(form);
      var items = {};
      form.querySelectorAll("input[data-item]").forEach(function (input) {
        items[input.dataset.item] = number(input.value);
      });
      var key = newKey();
      var entry = { key: key, url: URL, state: "waiting", body: {
        station_code: code, month: form.dataset.month, client_key: key, items: items,
        category: form.elements.category.value, problems: form.elements.problems.value,
        suggestions: form.elements.suggestions.value } };
      // A newer score of the same station replaces one still queued (waiting or refused): only the last one counts.
      save(load().filter(function (e) { return e.body.station_code !== code; }).concat([entry]));
      setState(code, "待发送", "warn");
      say(code, navigator.onLine ? "正在发送…" : "没有网络，已保存在手机上，恢复网络后自动发送", "wait");
      show();
      flush(false);
    });
    form.querySelector(".discard").addEventListener("click", function () {
      var code = form.dataset.code;
      load().filter(function (e) { return e.body.station_code === code; }).forEach(function (e) { drop(e.key); });
      clearProblems(form);
      var state = document.querySelector('[data-state-for="' + code + '"]');
      if (state && state.dataset.server !== undefined) { state.innerHTML = state.dataset.server; }
      say(code, "已放弃这条评分；服务器上的评分（如有）不变", "wait");
      show();
    });
  });

  // What the server said of each station, to show again when a queued score is discarded.
  document.querySelectorAll("[data-state-for]").forEach(function (el) { el.dataset.server = el.innerHTML; });
  load().forEach(function (e) {
    var code = e.body.station_code;
    var form = formOf(code);
    if (e.state === "refused") {
      setState(code, "未能保存", "warn");
      if (form) { fill(form, e.body); showProblems(form, e.problems); }
    } else {
      setState(code, "待发送", "warn");
      say(code, "已保存在手机上，等待发送", "wait");
    }
  });
  show();
  window.addEventListener("online", function () { flush(false); });
  window.addEventListener("offline", show);
  setInterval(function () { flush(false); }, 20000);
  flush(true);
})();
