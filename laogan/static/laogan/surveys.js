// The slip's QR opens the answer page with the code after "#": browsers never send that part to the server, so the
// code stays out of every log. Put it in the box and drop it from the address bar and history. Without JavaScript
// the page works the same; the code is typed by hand.
document.addEventListener("DOMContentLoaded", function () {
  var input = document.getElementById("id_code");
  if (!input || location.hash.length < 2) return;
  input.value = decodeURIComponent(location.hash.slice(1)).slice(0, 20);
  history.replaceState(null, "", location.pathname);
});
