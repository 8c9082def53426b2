// Visits: show the festival field only for festival visits; tick or untick every attendee of a gathering.
document.addEventListener("DOMContentLoaded", () => {
  const occasion = document.querySelector("select[name=occasion]");
  const festivalBox = document.querySelector("[data-show-when-occasion]");
  if (occasion && festivalBox) {
    const sync = () => { festivalBox.hidden = occasion.value !== festivalBox.dataset.showWhenOccasion; };
    occasion.addEventListener("change", sync);
    sync();
  }
  const setAll = (name, checked) => {
    document.querySelectorAll(`input[type=checkbox][name=${name}]`).forEach((box) => { box.checked = checked; });
  };
  document.querySelectorAll("[data-check-all]").forEach((b) => b.addEventListener("click", () => setAll(b.dataset.checkAll, true)));
  document.querySelectorAll("[data-check-none]").forEach((b) => b.addEventListener("click", () => setAll(b.dataset.checkNone, false)));
});
