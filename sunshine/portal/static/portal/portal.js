/* Parents' portal: autosave, a local copy of unsaved input, and small conveniences.
   Every page works without this script; it only saves more often and shows more. */
(function () {
  "use strict";

  var PREFIX = "sunshine-draft:";
  var LOCAL_DAYS = 7;

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function fieldValues(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "hidden" || el.type === "file") return;
      if (el.type === "checkbox") values[el.name] = el.checked ? "1" : "0";
      else if (el.type === "radio") { if (el.checked) values[el.name] = el.value; }
      else values[el.name] = el.value;
    });
    return values;
  }

  function restore(form, values) {
    Object.keys(values).forEach(function (name) {
      var els = form.querySelectorAll("[name='" + name + "']");
      Array.prototype.forEach.call(els, function (el) {
        if (el.type === "hidden") return;
        if (el.type === "checkbox") el.checked = values[name] === "1";
        else if (el.type === "radio") el.checked = el.value === values[name];
        else el.value = values[name];
      });
    });
  }

  function storageKey(form) {
    return PREFIX + form.dataset.draft + ":" + form.dataset.step;
  }

  function readLocal(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function writeLocal(key, values) {
    try { window.localStorage.setItem(key, JSON.stringify({ at: new Date().toISOString(), values: values })); } catch (e) { /* private mode */ }
  }

  function clearLocal(match) {
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(PREFIX) === 0 && (!match || key.indexOf(match) === 0)) window.localStorage.removeItem(key);
      }
    } catch (e) { /* ignore */ }
  }

  function expireLocal() {
    var limit = Date.now() - LOCAL_DAYS * 86400000;
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var key = window.localStorage.key(i);
        if (!key || key.indexOf(PREFIX) !== 0) continue;
        var item = readLocal(key);
        if (!item || Date.parse(item.at) < limit) window.localStorage.removeItem(key);
      }
    } catch (e) { /* ignore */ }
  }

  function say(form, text) {
    var state = document.querySelector("[data-savestate]");
    if (state) state.textContent = text;
  }

  function showZone(name) {
    var zone = document.querySelector("[data-zone]");
    if (!zone) return;
    var label = document.documentElement.lang.indexOf("en") === 0 ? "Zone school: " : "片区学校：";
    zone.textContent = "";
    var p = document.createElement("p");
    if (name) {
      p.appendChild(document.createTextNode(label));
      var strong = document.createElement("strong");
      strong.textContent = name;
      p.appendChild(strong);
    } else {
      p.textContent = document.documentElement.lang.indexOf("en") === 0
        ? "The zone school of this address is not recognised yet; staff will check addresses that cannot be placed."
        : "暂未识别该地址所属片区。请检查小区名称和楼栋号；无法识别的地址将由工作人员人工核实。";
    }
    zone.appendChild(p);
  }

  function autosave(form) {
    var key = storageKey(form);
    var timer = null;
    var english = document.documentElement.lang.indexOf("en") === 0;
    var local = readLocal(key);
    var serverAt = Date.parse(form.dataset.savedAt || "");
    if (local && local.values && (!serverAt || Date.parse(local.at) > serverAt)) {
      restore(form, local.values);
      say(form, english ? "Restored what you typed on this device but had not saved yet." : "已恢复本机上尚未保存的输入。");
    }

    function send() {
      var body = new FormData(form);
      body.delete("action");
      fetch(form.dataset.autosave, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Autosave": "1", "X-CSRFToken": csrf(form) }
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      }).then(function (data) {
        var when = new Date(data.saved_at);
        var hhmm = ("0" + when.getHours()).slice(-2) + ":" + ("0" + when.getMinutes()).slice(-2);
        say(form, (english ? "Draft saved at " : "草稿已自动保存 ") + hhmm);
        form.dataset.savedAt = data.saved_at;
        if ("zone_school" in data && form.querySelector("[name=residence_address]")) showZone(data.zone_school);
      }).catch(function () {
        say(form, english ? "Saved on this device only; it will be sent when the connection returns."
          : "网络不通，已先保存在本机，恢复网络后会自动保存到平台。");
      });
    }

    function changed() {
      writeLocal(key, fieldValues(form));
      window.clearTimeout(timer);
      timer = window.setTimeout(send, 1200);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    window.addEventListener("online", function () { if (readLocal(key)) send(); });
    form.addEventListener("submit", function () { window.clearTimeout(timer); });
  }

  function toggles(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-toggle], [data-toggle-off]"), function (box) {
      var target = document.getElementById(box.dataset.toggle || box.dataset.toggleOff);
      if (!target) return;
      var showWhenChecked = Boolean(box.dataset.toggle);
      function apply() { target.classList.toggle("hidden", box.checked !== showWhenChecked); }
      box.addEventListener("change", apply);
      apply();
    });
    var radios = root.querySelectorAll("input[name=housing]");
    if (radios.length) {
      var apply = function () {
        var chosen = root.querySelector("input[name=housing]:checked");
        Array.prototype.forEach.call(root.querySelectorAll("[data-when-housing]"), function (part) {
          part.classList.toggle("hidden", !chosen || chosen.value !== part.dataset.whenHousing);
        });
      };
      Array.prototype.forEach.call(radios, function (r) { r.addEventListener("change", apply); });
      apply();
    }
  }

  // GB 11643-1999: 6-digit region, 8-digit birth date, 3-digit sequence (odd = male),
  // ISO 7064 MOD 11-2 check character.
  function describeId(raw) {
    var text = raw.replace(/\s/g, "").toUpperCase();
    if (text.length !== 18 || !/^\d{17}[\dX]$/.test(text)) return null;
    var weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += Number(text[i]) * weights[i];
    if ("10X98765432"[sum % 11] !== text[17]) return { ok: false };
    var y = Number(text.slice(6, 10)), m = Number(text.slice(10, 12)), d = Number(text.slice(12, 14));
    var date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return { ok: false };
    return { ok: true, birth: text.slice(6, 10) + "-" + text.slice(10, 12) + "-" + text.slice(12, 14), male: Number(text[16]) % 2 === 1 };
  }

  function idPreview(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-id-preview]"), function (out) {
      var input = document.getElementById(out.dataset.idPreview);
      if (!input) return;
      var english = document.documentElement.lang.indexOf("en") === 0;
      function update() {
        var info = describeId(input.value);
        out.classList.remove("bad");
        if (!info) { out.textContent = ""; return; }
        if (!info.ok) {
          out.classList.add("bad");
          out.textContent = english ? "This ID number does not check out; please compare it digit by digit." : "身份证号码校验不通过，请逐位核对。";
          return;
        }
        out.textContent = english
          ? "Born " + info.birth + " · " + (info.male ? "boy" : "girl")
          : "出生日期 " + info.birth + " · 性别 " + (info.male ? "男" : "女");
      }
      input.addEventListener("input", update);
      update();
    });
  }

  function once(root) {
    // A page restored from the back-forward cache must be usable again.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) return;
      Array.prototype.forEach.call(root.querySelectorAll("form[data-once]"), function (form) {
        delete form.dataset.sent;
        Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = false; });
      });
    });
    Array.prototype.forEach.call(root.querySelectorAll("form[data-once]"), function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sent) { event.preventDefault(); return; }
        form.dataset.sent = "1";
        var button = event.submitter;
        window.setTimeout(function () { if (button) button.disabled = true; }, 0);
      });
    });
  }

  function loginPage(root) {
    var form = root.querySelector("form[data-login]");
    if (!form) return;
    var code = form.querySelector("[name=code]");
    var login = form.querySelector("button[value=login]");
    if (code && login) {
      code.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); login.click(); }
      });
    }
    var resend = form.querySelector("button[data-resend]");
    var seconds = resend ? Number(resend.dataset.resend || 0) : 0;
    if (resend && seconds > 0) {
      var label = resend.textContent;
      resend.disabled = true;
      var tick = function () {
        if (seconds <= 0) { resend.disabled = false; resend.textContent = label; return; }
        resend.textContent = label + " (" + seconds + ")";
        seconds -= 1;
        window.setTimeout(tick, 1000);
      };
      tick();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    expireLocal();
    toggles(document);
    idPreview(document);
    once(document);
    loginPage(document);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-autosave]"), autosave);
    // A submitted draft no longer needs its local copy on this device.
    Array.prototype.forEach.call(document.querySelectorAll("form[data-clear-draft]"), function (form) {
      form.addEventListener("submit", function () { clearLocal(PREFIX + form.dataset.clearDraft + ":"); });
    });
    // Logging out on a shared phone leaves nothing typed behind.
    Array.prototype.forEach.call(document.querySelectorAll("form[action$='/logout/']"), function (form) {
      form.addEventListener("submit", function () { clearLocal(""); });
    });
    var problems = document.getElementById("problems");
    if (problems) problems.focus();
  });
})();
