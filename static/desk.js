// vangnet desk (/turven): counting that survives a lost connection. Each
// tap gets an id made on this device (crypto.randomUUID) and goes into a
// queue in localStorage; the queue is sent in batches of at most 100 to
// POST /api/v1/tallies and a batch leaves the queue only when the server
// has it. The server stores each id once, so sending a batch again after a
// lost answer never counts twice. Totals shown are the server's plus what
// is still queued (marked "not sent yet"). Without this script the buttons
// are plain forms and still count.
(function () {
  "use strict";
  var root = document.getElementById("vangnet-desk");
  if (!root || !window.fetch || !window.localStorage || !window.crypto || !crypto.randomUUID) {
    return;
  }
  var KEY = "vangnet.desk.queue";
  var BATCH = 100;
  var RETRY_MS = 5000;
  var facility = Number(root.getAttribute("data-facility"));
  var csrf = root.getAttribute("data-csrf");
  var status = document.getElementById("desk-status");
  var undoButton = document.getElementById("desk-undo");
  var undoSeconds = Number(root.getAttribute("data-undo-seconds")) || 60;
  var cards = Array.prototype.slice.call(root.querySelectorAll("[data-metric]"));
  var sending = false;
  var last = null;
  var undoTimer = null;

  function load() {
    try {
      var queue = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(queue) ? queue : [];
    } catch (e) {
      return [];
    }
  }
  function save(queue) {
    localStorage.setItem(KEY, JSON.stringify(queue));
  }
  function say(text) {
    status.textContent = text;
  }

  function render() {
    var queue = load();
    cards.forEach(function (card) {
      var metric = card.getAttribute("data-metric");
      var pending = 0;
      queue.forEach(function (t) {
        if (t.facility_id === facility && t.metric === metric) {
          pending += t.amount;
        }
      });
      var total = Number(card.getAttribute("data-total")) + pending;
      card.querySelector(".vangnet-desk-count").textContent = String(total);
      card.querySelector(".vangnet-desk-pending").textContent =
        pending > 0 ? "(+" + pending + " " + root.getAttribute("data-pending") + ")" : "";
    });
  }

  function headers() {
    return { "Content-Type": "application/json", "X-CSRF-Token": csrf };
  }

  function refreshTotals() {
    return fetch("/api/v1/tallies/totals?facility_id=" + facility, {
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (totals) {
        if (!totals) {
          return;
        }
        cards.forEach(function (card) {
          var found = totals.filter(function (t) {
            return t.metric === card.getAttribute("data-metric");
          })[0];
          card.setAttribute("data-total", String(found ? found.total : 0));
        });
        render();
      });
  }

  function flush() {
    var queue = load();
    if (sending || queue.length === 0) {
      return;
    }
    sending = true;
    var batch = queue.slice(0, BATCH);
    var ids = batch.map(function (t) {
      return t.id;
    });
    fetch("/api/v1/tallies", {
      method: "POST",
      credentials: "same-origin",
      headers: headers(),
      body: JSON.stringify({ tallies: batch }),
    })
      .then(function (response) {
        if (response.ok || response.status === 422) {
          // Stored, or refused as a whole (it would be refused again): out of the queue.
          save(
            load().filter(function (t) {
              return ids.indexOf(t.id) < 0;
            })
          );
          say(root.getAttribute(response.ok ? "data-sent" : "data-refused"));
          return refreshTotals().then(function () {
            sending = false;
            flush();
          });
        }
        throw new Error("status " + response.status);
      })
      .catch(function () {
        sending = false;
        render();
        say(root.getAttribute("data-offline"));
        window.setTimeout(flush, RETRY_MS);
      });
  }

  function tap(card, amount) {
    var tally = {
      id: crypto.randomUUID(),
      facility_id: facility,
      at: new Date().toISOString(),
      metric: card.getAttribute("data-metric"),
      amount: amount,
    };
    var queue = load();
    queue.push(tally);
    save(queue);
    last = { id: tally.id, at: Date.now(), card: card, amount: amount };
    undoButton.hidden = false;
    window.clearTimeout(undoTimer);
    undoTimer = window.setTimeout(function () {
      undoButton.hidden = true;
    }, undoSeconds * 1000);
    render();
    say(card.getAttribute("data-name") + ": +" + amount + " " + root.getAttribute("data-counted"));
    flush();
  }

  function undo() {
    if (!last) {
      return;
    }
    var target = last;
    last = null;
    undoButton.hidden = true;
    var queue = load();
    var queued = queue.filter(function (t) {
      return t.id === target.id;
    });
    if (queued.length > 0 && !sending) {
      save(
        queue.filter(function (t) {
          return t.id !== target.id;
        })
      );
      render();
      say(root.getAttribute("data-undone"));
      return;
    }
    fetch("/api/v1/tallies/" + encodeURIComponent(target.id), {
      method: "DELETE",
      credentials: "same-origin",
      headers: headers(),
    }).then(function (response) {
      say(root.getAttribute(response.ok ? "data-undone" : "data-undo-late"));
      return refreshTotals();
    }, function () {
      say(root.getAttribute("data-undo-late"));
    });
  }

  cards.forEach(function (card) {
    card.querySelectorAll("button[name=amount]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        tap(card, Number(button.value));
      });
    });
  });
  undoButton.addEventListener("click", undo);
  // The server-rendered undo of a plain post is for pages without this script.
  Array.prototype.forEach.call(document.querySelectorAll(".vangnet-desk-undo-form"), function (f) {
    f.hidden = true;
  });
  window.addEventListener("online", flush);
  render();
  flush();
})();
