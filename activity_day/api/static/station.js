// The station page's photos: each photo is uploaded on its own and retried until the server has it (photos are
// kept by their SHA-256, so a retry never stores one twice), then the check-in, check-out or 整改报告 names them.
// A check-in waits in localStorage, in its station's own queue, until the server answers (see the queue below), so
// a reload on a weak network resumes it instead of starting over, and a refusal stays with its reason.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf"]').content;

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }
  function newId() {
    if (window.crypto && crypto.randomUUID) { return "h5-" + crypto.randomUUID(); }
    return "h5-" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function status(box, text, kind) {
    var el = box.querySelector(".status");
    el.textContent = text;
    el.className = "status " + (kind || "");
  }
  function post(url, body, json) {
    var headers = { "X-CSRF-Token": csrf };
    if (json) { headers["Content-Type"] = "application/json"; }
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers, body: body })
      .then(function (r) { return r.json().then(function (data) { return { status: r.status, data: data }; }); });
  }
  // Retry on no signal or a server error, give up on a refusal (4xx): that answer does not change by retrying.
  function withRetry(attempt, box, what) {
    var tries = 0;
    var go = function () {
      return attempt().then(function (answer) {
        if (answer.status >= 500) { throw new Error("server"); }
        return answer;
      }).catch(function () {
        tries += 1;
        status(box, what + "：网络不好，正在重试（第 " + tries + " 次）…", "wait");
        return sleep(Math.min(30000, 1000 * Math.pow(2, tries))).then(go);
      });
    };
    return go();
  }
  function upload(files, box) {
    var shas = [];
    var one = function (i) {
      if (i >= files.length) { return Promise.resolve(shas); }
      status(box, "正在上传第 " + (i + 1) + "/" + files.length + " 张照片…", "wait");
      return withRetry(function () {
        var data = new FormData();
        data.append("file", files[i]);
        return post("/m/station/photos", data, false);
      }, box, "上传照片").then(function (answer) {
        if (answer.status !== 200) { throw new Error(answer.data.message || "照片未能上传"); }
        shas.push(answer.data.sha256);
        return one(i + 1);
      });
    };
    return one(0);
  }
  function where() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { resolve(null); return; }
      navigator.geolocation.getCurrentPosition(function (p) { resolve(p.coords); }, function () { resolve(null); },
                                               { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
    });
  }
  function localNow() {
    var d = new Date();
    var pad = function (n) { return String(n).padStart(2, "0"); };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" +
      pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }
  // The check-in queue belongs to one holder: its key names the station, so another station's page on the same
  // phone never sends (nor shows) it. Each entry names its activity by its stable identity (the uid the server
  // keeps), never by its row, so a plan submitted again cannot move it to another activity. It waits until the
  // server answers: no signal or a server error leaves it waiting (sent again when the network comes back, every
  // 20 seconds, and when the page opens); a refusal keeps it, with the server's reason, until the holder checks in
  // again (which replaces it) or discards it.
  var section = document.getElementById("evidence");
  var QUEUE = section ? "activity-day.checkins." + section.dataset.holder : null;
  var LEGACY = "activity-day.evidence.";  // per month and row, of no holder: how records waited before
  var flushing = false, again = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function save(queue) {
    if (queue.length) { localStorage.setItem(QUEUE, JSON.stringify(queue)); } else { localStorage.removeItem(QUEUE); }
  }
  function idOf(entry) { return entry.record.client_id; }
  function update(id, change) {
    save(load().map(function (e) { return idOf(e) === id ? Object.assign(e, change) : e; }));
  }
  function drop(id) { save(load().filter(function (e) { return idOf(e) !== id; })); }
  function whatOf(record) { return record.kind === "checkin" ? "签到" : "签退"; }
  function whenOf(record) { return String(record.taken_at).replace("T", " ").slice(5, 16); }
  function boxOf(entry) {
    var r = entry.record;
    if (!r.activity_uid || r.month !== section.dataset.month) { return null; }
    return section.querySelector('.evidence[data-uid="' + r.activity_uid + '"]');
  }
  // A record kept by an older page names no station and only a row: it cannot be known to be this station's, nor
  // which activity it was, so it is never sent; it is shown, refused with that reason, until the holder discards it.
  (function adopt() {
    if (!section) { return; }
    var found = [];
    for (var i = 0; i < localStorage.length; i++) {
      var key = localStorage.key(i);
      if (key && key.indexOf(LEGACY) === 0) { found.push(key); }
    }
    if (!found.length) { return; }
    var queue = load();
    found.forEach(function (key) {
      try {
        var record = JSON.parse(localStorage.getItem(key));
        if (record && record.client_id && !queue.some(function (e) { return idOf(e) === record.client_id; })) {
          queue.push({ state: "refused", status: 0, legacy: true, record: record,
                       message: "这条记录由旧版页面保存，无法确认属于哪个所站、哪项活动，未发送" });
        }
      } catch (e) { /* not a record: nothing to keep */ }
      localStorage.removeItem(key);
    });
    save(queue);
  })();

  function nextStep(entry) {
    if (entry.legacy) { return "如需要，请在对应活动下重新签到，并放弃这条。"; }
    if (entry.status === 401) { return "请向县文明办索取新的链接，打开后会再次发送；或放弃这条。"; }
    if (entry.status === 403) { return "请刷新页面，会再次发送；或放弃这条。"; }
    return "如需要，请重新" + whatOf(entry.record) + "（会替换这条），或放弃这条。";
  }
  function item(entry, elsewhere) {
    var r = entry.record, li = document.createElement("li");
    var head = (elsewhere ? r.month + (r.activity_uid ? "" : " 第" + r.activity_seq + "项活动") + " " : "") +
      whatOf(r) + "（" + whenOf(r) + "）";
    if (entry.state === "refused") {
      li.className = "status bad";
      li.textContent = head + "发送失败：" + entry.message.replace(/[。；]$/, "") + "。" + nextStep(entry) + " ";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary discard";
      button.textContent = "放弃这条" + whatOf(r);
      button.addEventListener("click", function () { drop(idOf(entry)); show(); });
      li.appendChild(button);
    } else {
      li.className = "status wait";
      li.textContent = head + (navigator.onLine ? "待发送：网络不好，已保存在手机上，稍后自动重试" :
                                  "待发送：当前没有网络，已保存在手机上，恢复网络后自动发送");
    }
    return li;
  }
  // Each entry under its activity; one whose activity is not on this page in the list at the top of the section.
  function show() {
    if (!section) { return; }
    var lists = [];
    section.querySelectorAll(".queue").forEach(function (list) { list.textContent = ""; lists.push(list); });
    var elsewhere = section.querySelector(".queue.elsewhere");
    load().forEach(function (entry) {
      var box = boxOf(entry);
      (box ? box.querySelector(".queue") : elsewhere).appendChild(item(entry, !box));
    });
    lists.forEach(function (list) { list.hidden = !list.children.length; });
  }

  function refusal(answer) {
    // A refusal always says why: the server's message, and each problem it names that the message does not.
    var message = (answer.data && answer.data.message) || "服务器未说明原因（" + answer.status + "）";
    var more = ((answer.data && answer.data.problems) || []).map(function (p) { return p.reason; })
      .filter(function (r) { return r && message.indexOf(r) < 0; });
    return message + (more.length ? "；" + more.join("；") : "");
  }
  function sendRecord(record) {
    return fetch("/m/station/evidence", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(record)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return { status: r.status, data: data }; });
    });
  }
  // Send what waits (and, when the page opens, what was refused before: the answer may have changed, e.g. a page
  // that had expired). Stops at no signal or a server error: the rest wait for the next try.
  function flush(retryRefused) {
    if (!section) { return Promise.resolve(); }
    if (flushing) { again = true; return Promise.resolve(); }
    if (!navigator.onLine) { show(); return Promise.resolve(); }
    flushing = true;
    var queue = load().filter(function (e) { return !e.legacy && (retryRefused || e.state !== "refused"); });
    var next = function (i) {
      if (i >= queue.length) { return Promise.resolve(); }
      var entry = queue[i], record = entry.record, box = boxOf(entry);
      return sendRecord(record).then(function (answer) {
        if (answer.status === 200) {
          drop(idOf(entry));
          if (box) {
            status(box, whatOf(record) + "成功：" + answer.data.verdict +
                   (answer.data.reasons.length ? "（" + answer.data.reasons.join("；") + "）" : ""), "ok");
          }
        } else if (answer.status >= 400 && answer.status < 500) {
          update(idOf(entry), { state: "refused", status: answer.status, message: refusal(answer) });
          if (box) { status(box, whatOf(record) + "未被接受，原因见下方", "bad"); }
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

  if (section) {
    section.querySelectorAll(".evidence").forEach(function (box) {
      box.querySelectorAll(".evidence-go").forEach(function (button) {
        button.addEventListener("click", function () {
          var kind = button.dataset.kind;
          var files = box.querySelector(".photos").files;
          button.disabled = true;
          status(box, "正在获取位置…", "wait");
          where().then(function (coords) {
            return upload(files, box).then(function (shas) {
              var record = { month: section.dataset.month, client_id: newId(), activity_seq: Number(box.dataset.seq),
                             activity_uid: box.dataset.uid, kind: kind, taken_at: localNow(), photos: shas,
                             longitude: coords ? coords.longitude : null, latitude: coords ? coords.latitude : null };
              // A newer record of the same activity and kind replaces one still queued (waiting or refused).
              save(load().filter(function (e) {
                var r = e.record;
                return !(r.month === record.month && r.activity_uid === record.activity_uid && r.kind === kind);
              }).concat([{ state: "waiting", record: record }]));
              status(box, navigator.onLine ? "正在提交…" : "没有网络，已保存在手机上，恢复网络后自动发送", "wait");
              show();
              return flush(false);
            });
          }).catch(function (e) { status(box, e.message, "bad"); })
            .then(function () { button.disabled = false; });
        });
      });
    });
    show();
    window.addEventListener("online", function () { flush(false); });
    window.addEventListener("offline", show);
    setInterval(function () { flush(false); }, 20000);
    flush(true);
  }

  document.querySelectorAll(".report-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var files = form.querySelector(".photos").files;
      if (!files.length || form.dataset.uploaded) { return; }
      event.preventDefault();
      upload(files, form).then(function (shas) {
        form.elements.photos.value = shas.join(",");
        form.dataset.uploaded = "1";
        form.submit();
      }).catch(function (e) { status(form, e.message, "bad"); });
    });
  });
})();
