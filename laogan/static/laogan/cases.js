// Case work forms show only the fields that apply: the home-care fields for a home-care referral, and for a person
// involved in a case the fields of the chosen role. Without JavaScript every field shows and the server checks them.
(function () {
  "use strict";

  function fieldOf(input) {
    return input ? input.closest(".field") : null;
  }

  function careFields() {
    var box = document.querySelector(".care-fields");
    if (!box) return;
    var radios = document.querySelectorAll("input[name='case_type']");
    function update() {
      var chosen = document.querySelector("input[name='case_type']:checked");
      box.hidden = !(chosen && chosen.value === "home_care");
    }
    radios.forEach(function (r) { r.addEventListener("change", update); });
    update();
  }

  var PARTY_FIELDS = {
    staff: ["user", "notes"],
    family: ["name", "relationship", "phone", "notes"],
    mediator: ["member", "name", "relationship", "phone", "notes"],
    partner: ["organisation", "name", "relationship", "phone", "notes"],
    other: ["name", "relationship", "organisation", "phone", "notes"]
  };
  var ALL = ["user", "member", "name", "relationship", "organisation", "phone", "notes"];

  function partyFields() {
    var role = document.querySelector("select[name='party-role']");
    if (!role) return;
    function update() {
      var shown = PARTY_FIELDS[role.value] || ALL;
      ALL.forEach(function (name) {
        var wrapper = fieldOf(document.querySelector("[name='party-" + name + "']"));
        if (wrapper) wrapper.hidden = shown.indexOf(name) < 0;
      });
    }
    role.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    careFields();
    partyFields();
  });
})();
