// Activities: the own-name field only for "other" kinds; tick all invited; a live tally on the attendance
// checklist; and the scanning page, which reads sign-in QR codes with the browser's BarcodeDetector and a camera
// where there is one, and otherwise leaves the text box to a handheld scanner or the keyboard.
document.addEventListener("DOMContentLoaded", () => {
  const kind = document.querySelector("select[name=kind]");
  const own = document.querySelector("[data-show-when-kind]");
  if (kind && own) {
    const sync = () => { own.hidden = kind.value !== own.dataset.showWhenKind; };
    kind.addEventListener("change", sync);
    sync();
  }
  const setAll = (name, checked) => {
    document.querySelectorAll(`input[type=checkbox][name=${name}]`).forEach((box) => { box.checked = checked; });
  };
  document.querySelectorAll("[data-check-all]").forEach((b) => b.addEventListener("click", () => setAll(b.dataset.checkAll, true)));
  document.querySelectorAll("[data-check-none]").forEach((b) => b.addEventListener("click", () => setAll(b.dataset.checkNone, false)));

  const checklist = document.querySelector(".checklist-form");
  if (checklist) {
    const tally = () => {
      for (const state of ["attended", "home"]) {
        const out = checklist.querySelector(`[data-tally=${state}]`);
        if (out) out.textContent = checklist.querySelectorAll(`input[type=radio][value=${state}]:checked`).length;
      }
    };
    checklist.addEventListener("change", tally);
  }

  const form = document.querySelector("[data-scan-form]");
  if (!form) return;
  const input = form.querySelector("input[name=code]");
  document.body.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.elt === form) { input.value = ""; input.focus(); }
  });
  const start = document.querySelector("[data-camera-start]");
  const video = document.querySelector("[data-camera-video]");
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !start || !video) return;
  start.hidden = false;
  let last = "", lastAt = 0;
  start.addEventListener("click", async () => {
    let detector;
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (e) {
      start.textContent = start.dataset.failed || "✕";
      return;
    }
    video.hidden = false;
    start.hidden = true;
    await video.play();
    const look = async () => {
      try {
        const found = await detector.detect(video);
        const now = Date.now();
        // The same card held in front of the camera is read many times a second: submit it once every 3 s.
        if (found.length && (found[0].rawValue !== last || now - lastAt > 3000)) {
          last = found[0].rawValue; lastAt = now;
          input.value = last;
          form.requestSubmit();
        }
      } catch (e) { /* a frame that could not be read */ }
      setTimeout(look, 250);
    };
    look();
  });
});
