// Scoring forms of the team and observer pages. Each score gets a key made on the phone and waits in
// localStorage until the server has answered for it; without signal it stays there and is sent when the
// `online` event fires (or on the next try, every 20 seconds, or the next time the page opens). The server
// stores each key once, so a score sent twice (an answer lost on a weak network) is stored once.
(function () {
  "use strict";
  var QUEUE = "activity-day.scores";
  var csrf = document.querySelector('meta[name="csrf"]').content;
  var net = document.getElementById("net");
  var flushing = false, again = false;

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function save(queue) { localStorage.setItem(QUEUE, JSON.stringify(queue)); }
  function drop(key) { save(load().filter(function (e) { return e.key !== key; })); }

  function formOf(code) { return document.querySelector('.score-form[data-code="' + code + '"]'); }
  function say(code, text, kind) {
    var form = formOf(code);
    if (form) {
      var status = form.querySelector(".status");
      status.textContent = text;
      status.className = "status " + kind;
    }
  }
  function setState(code, html) {
    var el = document.querySelector('[data-state-for="' + code + '"]');
    if (el) { el.innerHTML = html; }
  }
  function showProblems(code, problems) {
    var form = formOf(code);
    if (!form) { return; }
    form.querySelectorAll(".error").forEach(function (p) { p.hidden = true; p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (i) { i.removeAttribute("aria-invalid"); });
    (problems || []).forEach(function (p) {
      var target = form.querySelector('[data-error-for="' + (p.field || "") + '"]') ||
                   form.querySelector('[data-error-for="items"]');
      target.textContent = (target.textContent ? target.textContent + "；" : "") + p.reason;
      target.hidden = false;
      var input = target.parentNode.querySelector("input, textarea");
      if (input) { input.setAttribute("aria-invalid", "true"); }
    });
  }
  function showNet() {
    var waiting = load().length;
    if (!navigator.onLine) {
      net.textContent = "当前没有网络：评分已保存在手机上，恢复网络后自动发送" + (waiting ? "（待发送 " + waiting + " 条）" : "");
    } else if (waiting) {
      net.textContent = "正在发送保存在手机上的评分（" + waiting + " 条）…";
    }
    net.hidden = navigator.onLine && !waiting;
  }

  function send(entry) {
    return fetch(entry.url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(entry.body)
    }).then(function (r) { return r.json().then(function (data) { return { status: r.status, data: data }; }); });
  }

  function flush() {
    if (flushing) { again = true; return Promise.resolve(); }
    if (!navigator.onLine) { showNet(); return Promise.resolve(); }
    flushing = true;
    var queue = load();
    var next = function (i) {
      if (i >= queue.length) { return Promise.resolve(); }
      var entry = queue[i];
      return send(entry).then(function (answer) {
        var code = entry.body.station_code;
        if (answer.status === 200) {
          drop(entry.key);
          setState(code, '<span class="tag ok">已评分 ' + Number(answer.data.score).toFixed(1) + " 分</span>");
          say(code, "已发送，服务器已保存", "ok");
          showProblems(code, []);
        } else if (answer.status === 422) {
          drop(entry.key);
          say(code, answer.data.message || "评分有误", "bad");
          showProblems(code, answer.data.problems);
        } else if (answer.status >= 400 && answer.status < 500) {
          drop(entry.key);
          say(code, answer.data.message || "未能保存", "bad");
        } else {
          throw new Error("server " + answer.status);
        }
        return next(i + 1);
      });
    };
    return next(0).catch(function () { /* no signal or a server error: the entry waits for the next try */ })
      .then(function () {
        flushing = false;
        showNet();
        if (again) { again = false; return flush(); }
      });
  }

  function total(form) {
    var sum = 0, all = true;
    form.querySelectorAll("input[data-item]").forEach(function (input) {
      var v = parseFloat(input.value);
      if (isNaN(v)) { all = false; } else { sum += v; }
    });
    form.querySelector(".sum").textContent = all ? String(Math.round(sum * 100) / 100) : "—";
  }

  document.querySelectorAll(".score-form").forEach(function (form) {
    total(form);
    form.addEventListener("input", function () { total(form); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var items = {};
      form.querySelectorAll("input[data-item]").forEach(function (input) { items[input.dataset.item] = input.value; });
      var code = form.dataset.code;
      var key = newKey();
      var entry = { key: key, url: form.getAttribute("action"), body: {
        station_code: code, month: form.dataset.month, client_key: key, items: items,
        category: form.elements.category.value, problems: form.elements.problems.value,
        suggestions: form.elements.suggestions.value } };
      // A newer score of the same station replaces one still waiting: only the last one counts.
      save(load().filter(function (e) { return e.body.station_code !== code; }).concat([entry]));
      setState(code, '<span class="tag warn">待发送</span>');
      say(code, navigator.onLine ? "正在发送…" : "没有网络，已保存在手机上，恢复网络后自动发送", "wait");
      flush();
    });
  });

  load().forEach(function (e) {
    setState(e.body.station_code, '<span class="tag warn">待发送</span>');
    say(e.body.station_code, "已保存在手机上，等待发送", "wait");
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", showNet);
  setInterval(flush, 20000);
  flush();
})();
