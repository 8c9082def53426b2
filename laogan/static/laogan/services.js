// Service request intake: Enter in the member search looks the member up instead of sending the half-filled form.
document.addEventListener("keydown", function (event) {
  if (event.key === "Enter" && event.target.classList && event.target.classList.contains("member-search")) {
    event.preventDefault();
    event.target.dispatchEvent(new Event("search"));
  }
});
