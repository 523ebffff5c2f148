// The station page's photos: each photo is uploaded on its own and retried until the server has it (photos are
// kept by their SHA-256, so a retry never stores one twice), then the check-in, check-out or 整改报告 names them.
// A check-in waits in localStorage with its client id until the server answers, so a reload on a weak network
// resumes it instead of starting over.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf"]').content;
  var PENDING = "activity-day.evidence";

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
  // A record waits under a key of its month, activity and kind, so one from another month is never shown (or
  // taken) as this page's.
  function pendingKey(record) { return PENDING + "." + record.month + "." + record.activity_seq + "." + record.kind; }
  function sendRecord(record, box) {
    var what = record.kind === "checkin" ? "签到" : "签退";
    return withRetry(function () { return post("/m/station/evidence", JSON.stringify(record), true); }, box, "提交")
      .then(function (answer) {
        localStorage.removeItem(pendingKey(record));
        if (answer.status === 200) {
          status(box, what + "成功：" + answer.data.verdict +
                 (answer.data.reasons.length ? "（" + answer.data.reasons.join("；") + "）" : ""), "ok");
        } else {
          // A refusal always says why: the server's message, and each problem it names that the message does not.
          var message = (answer.data && answer.data.message) || "服务器未说明原因（" + answer.status + "）";
          var more = ((answer.data && answer.data.problems) || []).map(function (p) { return p.reason; })
            .filter(function (r) { return r && message.indexOf(r) < 0; });
          status(box, what + "未被接受（" + record.taken_at.replace("T", " ").slice(0, 16) + "）：" + message +
                 (more.length ? "；" + more.join("；") : ""), "bad");
        }
      });
  }

  var section = document.getElementById("evidence");
  document.querySelectorAll(".evidence").forEach(function (box) {
    var seq = Number(box.dataset.seq);
    ["checkin", "checkout"].forEach(function (kind) {
      var key = pendingKey({ month: section.dataset.month, activity_seq: seq, kind: kind });
      var legacy = PENDING + "." + seq + "." + kind;  // kept before records waited under their month
      var saved = localStorage.getItem(key) || localStorage.getItem(legacy);
      if (saved) {
        var record = JSON.parse(saved);
        localStorage.removeItem(legacy);
        localStorage.setItem(pendingKey(record), saved);
        status(box, "上次（" + String(record.taken_at).replace("T", " ").slice(0, 16) + "）的" +
               (kind === "checkin" ? "签到" : "签退") + "尚未送达，正在重新提交…", "wait");
        sendRecord(record, box);
      }
    });
    box.querySelectorAll(".evidence-go").forEach(function (button) {
      button.addEventListener("click", function () {
        var kind = button.dataset.kind;
        var files = box.querySelector(".photos").files;
        button.disabled = true;
        status(box, "正在获取位置…", "wait");
        where().then(function (coords) {
          return upload(files, box).then(function (shas) {
            var record = { month: section.dataset.month, client_id: newId(), activity_seq: seq, kind: kind,
                           taken_at: localNow(), photos: shas,
                           longitude: coords ? coords.longitude : null, latitude: coords ? coords.latitude : null };
            localStorage.setItem(pendingKey(record), JSON.stringify(record));
            return sendRecord(record, box);
          });
        }).catch(function (e) { status(box, e.message, "bad"); })
          .then(function () { button.disabled = false; });
      });
    });
  });

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
