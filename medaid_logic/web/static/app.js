// Niceties only: every page works without this file.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  // a select marked autosubmit re-renders its form (the jurisdiction's fields, the audit filter)
  document.querySelectorAll("select.autosubmit").forEach(function (sel) {
    sel.addEventListener("change", function () {
      var form = sel.form;
      if (form.id === "case-form") {
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = "action"; hidden.value = "refresh";
        form.appendChild(hidden);
      }
      form.submit();
    });
  });
  var print = document.getElementById("print-button");
  if (print) { print.addEventListener("click", function () { window.print(); }); }
});
