// The assessment run page: poll the run's status every second and show
// the progress; when the run ends, reload the page to show its result.
(function () {
  "use strict";
  var box = document.getElementById("assess-run");
  if (!box || box.getAttribute("data-status") !== "running") {
    return;
  }
  var url = box.getAttribute("data-status-url");
  function show(s) {
    document.getElementById("run-status").textContent = s.status_name;
    document.getElementById("run-count").textContent = s.done + " / " + s.total;
    var bar = document.getElementById("run-progress");
    bar.value = s.percent;
    bar.textContent = s.percent + "%";
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        show(s);
        if (s.status === "running") {
          setTimeout(poll, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
